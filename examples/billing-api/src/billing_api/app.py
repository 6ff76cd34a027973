from fastapi import FastAPI

app = FastAPI(title="billing-api")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
