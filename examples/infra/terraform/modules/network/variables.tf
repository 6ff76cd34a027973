variable "cidr_block" {
  type = string
}

variable "name" {
  type = string
}
