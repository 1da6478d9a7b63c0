variable "tags" {
  default = { team = "ledger", env = "prod" }
}

variable "zones" {
  default = [
    { region = "US_GOV_EAST_1", priority = 7 },
    { region = "US_GOV_EAST_1", priority = 6 },
    { region = "US_GOV_EAST_1", priority = 5 },
    { region = "US_GOV_EAST_1", priority = 4 },
    { region = "US_GOV_EAST_1", priority = 3 },
    { region = "US_GOV_EAST_1", priority = 2 },
    { region = "US_GOV_EAST_1", priority = 1 },
    { region = "US_GOV_EAST_1", priority = 7 },
    { region = "US_GOV_EAST_1", priority = 6 },
    { region = "US_GOV_EAST_1", priority = 5 },
    { region = "US_GOV_EAST_1", priority = 4 }
  ]
}

resource "mongodbatlas_advanced_cluster" "ledger" {
  project_id   = "5f1d2c3b4a5968776a5b4c3d"
  name         = "ledger"
  cluster_type = "REPLICASET"
  tags         = var.tags

  replication_specs = [{
    region_configs = [for z in var.zones : {
      provider_name = "AWS"
      region_name   = z.region
      priority      = z.priority
      electable_specs = {
        instance_size = "M30"
        node_count    = 3
      }
    }]
  }]
}
