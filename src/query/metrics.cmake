# The query statistics as Prometheus series (a MetricsRegistry collector's text).
fastbreak_module(query_metrics SOURCES query_metrics.cpp DEPS fastbreak_query_core fmt::fmt)
fastbreak_test(query_metrics_test SOURCES query_metrics_test.cpp DEPS fastbreak_query_metrics)
