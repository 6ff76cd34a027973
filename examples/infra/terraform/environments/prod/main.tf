module "network" {
  source = "../../modules/network"

  cidr_block = "10.20.0.0/16"
  name       = "prod"
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "20.29.0"

  cluster_name    = "prod"
  cluster_version = "1.31"
  vpc_id          = module.network.vpc_id
  subnet_ids      = module.network.private_subnet_ids
}
