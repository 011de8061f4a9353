"""Summary reports, one module per step:

- ``build``: metrics, narrative and warnings gathered into a :class:`model.Report`
- ``render``: HTML (Plotly charts inline), Markdown, e-mail HTML and the metrics CSV
- ``deliver``: files written all or nothing into a folder, and SMTP e-mail
- ``schedule``: cron expressions and the APScheduler loop
- ``runner``: :func:`runner.produce_report`, one run of all of the above
"""
