"""A small service that publishes and reads order events (Avro, via a schema registry)."""
