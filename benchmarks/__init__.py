"""Speed and memory of GrowthLens against pandas, lifetimes and bare DuckDB: see README.md."""
