import { createServer } from "node:http";
import { price } from "@acme/ui";

createServer((_req, res) => res.end(`Today's deal: ${price(1999)}\n`)).listen(8080);
