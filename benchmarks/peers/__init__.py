"""What a growth team would write instead of GrowthLens: pandas, lifetimes and plain SQL."""
