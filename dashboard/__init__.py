"""The GrowthLens Streamlit app: pages and components over :mod:`analytics`."""
