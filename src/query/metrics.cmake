# The query statistics as Prometheus series (a MetricsRegistry collector's text).
fastbreak_module(query_metrics SOURCES query_metrics.cpp DEPS fastbreak_query_core fmt::fmt)
