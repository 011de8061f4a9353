"""GrowthLens dashboard: the Streamlit entry point (``streamlit run dashboard/app.py``)."""

from dashboard.shell import run_app

run_app()
