// MetricsRegistry: families keyed by name, series keyed by sorted labels, Prometheus export.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "telemetry/metrics.hpp"
#include "telemetry/prometheus_format.hpp"

namespace fastbreak::telemetry {
namespace {

enum class Kind { kCounter, kGauge, kHistogram };

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kCounter:
      return "counter";
    case Kind::kGauge:
      return "gauge";
    case Kind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// Labels sorted by name, so that the same set in any order names the same series.
// Throws std::invalid_argument on an invalid or repeated label name.
Labels CanonicalLabels(std::string_view metric, const Labels& labels, Kind kind) {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    const std::string& name = sorted[i].first;
    if (!detail::IsValidLabelName(name) || (kind == Kind::kHistogram && name == "le")) {
      throw std::invalid_argument(
          fmt::format("metric '{}': invalid label name '{}'", metric, name));
    }
    if (i > 0 && sorted[i - 1].first == name) {
      throw std::invalid_argument(fmt::format("metric '{}': label '{}' repeated", metric, name));
    }
  }
  return sorted;
}

// Converts recorded units to exported units. When the scale is 1/n for an integer n (1e-9,
// 1e-6, 1e-3), divides by n instead of multiplying by the inexact scale, so that 1500000 ns
// exports as 0.0015 and not 0.0015000000000000000312.
class Scaler {
 public:
  explicit Scaler(double scale) : scale_(scale) {
    const double inverse = std::round(1.0 / scale);
    if (inverse >= 2 && std::abs(1.0 / scale - inverse) <= 1e-9 * inverse) divisor_ = inverse;
  }
  double ToExported(double recorded) const {
    return divisor_ > 0 ? recorded / divisor_ : recorded * scale_;
  }
  // The inverse; snaps to an integer when within rounding noise of one, so that an "le" of
  // 0.00001 s is exactly 10000 ns.
  double ToRecorded(double exported) const {
    const double recorded = divisor_ > 0 ? exported * divisor_ : exported / scale_;
    const double whole = std::round(recorded);
    return std::abs(recorded - whole) <= 1e-9 * std::max(1.0, whole) ? whole : recorded;
  }

 private:
  double scale_;
  double divisor_ = 0;  // 0: multiply by scale_
};

void ValidateHistogramOptions(std::string_view metric, const HistogramOptions& options) {
  if (!std::isfinite(options.export_scale) || options.export_scale <= 0) {
    throw std::invalid_argument(fmt::format("histogram '{}': export_scale must be > 0", metric));
  }
  const auto& bounds = options.export_buckets;
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw std::invalid_argument(fmt::format(
          "histogram '{}': export_buckets must be finite and strictly ascending", metric));
    }
  }
}

// `name{labels,extra_name="extra_value"} value\n`, without braces when there are no labels.
void AppendSample(std::string& out, std::string_view name, const Labels& labels,
                  std::string_view extra_name, std::string_view extra_value,
                  std::string_view value) {
  out += name;
  if (!labels.empty() || !extra_name.empty()) {
    char separator = '{';
    auto append_label = [&](std::string_view label, std::string_view label_value) {
      out += separator;
      out += label;
      out += "=\"";
      detail::AppendEscapedLabelValue(out, label_value);
      out += '"';
      separator = ',';
    };
    for (const auto& [label, label_value] : labels) append_label(label, label_value);
    if (!extra_name.empty()) append_label(extra_name, extra_value);
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

// One metric name: its kind, help and every labelled series. Series are never removed, so
// references handed out stay valid. Guarded by MetricsRegistry::mutex_ (the metrics inside are
// thread-safe on their own).
struct MetricsRegistry::Family {
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };

  Family(std::string_view name_in, std::string_view help_in, Kind kind_in,
         const HistogramOptions& options)
      : name(name_in), help(help_in), kind(kind_in), scaler(options.export_scale) {
    if (kind != Kind::kHistogram) return;
    for (double bound : options.export_buckets) {
      bucket_labels.push_back(detail::FormatFloat(bound));
      bucket_thresholds.push_back(scaler.ToRecorded(bound));
    }
  }

  // The family called `name`, created on first use. Throws std::invalid_argument on an invalid
  // name or a kind other than the registered one. REQUIRES: the registry mutex is held.
  static Family& FindOrAdd(std::map<std::string, std::unique_ptr<Family>, std::less<>>& families,
                           std::string_view name, std::string_view help, Kind kind,
                           const HistogramOptions& options = {}) {
    auto it = families.find(name);
    if (it == families.end()) {
      if (!detail::IsValidMetricName(name)) {
        throw std::invalid_argument(fmt::format("invalid metric name '{}'", name));
      }
      if (kind == Kind::kHistogram) ValidateHistogramOptions(name, options);
      it = families.emplace(name, std::make_unique<Family>(name, help, kind, options)).first;
    } else if (it->second->kind != kind) {
      throw std::invalid_argument(fmt::format("metric '{}' is a {}, requested as a {}", name,
                                              KindName(it->second->kind), KindName(kind)));
    }
    return *it->second;
  }

  // One series as PrometheusText copies it under the registry lock: the labels (a map key,
  // immutable) and the metric, both stable for the registry's lifetime.
  struct SeriesRef {
    const Labels* labels;
    const Series* series;
  };
  // REQUIRES: `refs` are this family's series, in label order. Needs no lock: reads only
  // immutable fields and the metrics' own atomics.
  void AppendText(std::string& out, const std::vector<SeriesRef>& refs) const;
  void AppendHistogram(std::string& out, const Labels& labels, const Histogram& histogram) const;

  const std::string name;
  const std::string help;
  const Kind kind;
  const Scaler scaler;                     // histograms: recorded -> exported units
  std::vector<std::string> bucket_labels;  // histograms: "le" values, ascending
  std::vector<double> bucket_thresholds;   // histograms: the same bounds, recorded units
  std::map<Labels, Series> series;         // by sorted labels
};

void MetricsRegistry::Family::AppendText(std::string& out,
                                         const std::vector<SeriesRef>& refs) const {
  if (!help.empty()) {
    out += "# HELP ";
    out += name;
    out += ' ';
    detail::AppendEscapedHelp(out, help);
    out += '\n';
  }
  out += "# TYPE ";
  out += name;
  out += ' ';
  out += KindName(kind);
  out += '\n';
  for (const SeriesRef& ref : refs) {
    const Labels& labels = *ref.labels;
    switch (kind) {
      case Kind::kCounter:
        AppendSample(out, name, labels, {}, {}, fmt::format("{}", ref.series->counter->Value()));
        break;
      case Kind::kGauge:
        AppendSample(out, name, labels, {}, {}, detail::FormatFloat(ref.series->gauge->Value()));
        break;
      case Kind::kHistogram:
        AppendHistogram(out, labels, *ref.series->histogram);
        break;
    }
  }
}

void MetricsRegistry::Family::AppendHistogram(std::string& out, const Labels& labels,
                                              const Histogram& histogram) const {
  const HistogramSnapshot snapshot = histogram.Snapshot();
  const std::string bucket_name = name + "_bucket";
  const std::vector<double> cumulative = snapshot.CountsAtOrBelow(bucket_thresholds);
  for (size_t i = 0; i < bucket_labels.size(); ++i) {
    // Rounding keeps the counts integers and, as CountAtOrBelow is monotonic, cumulative.
    AppendSample(out, bucket_name, labels, "le", bucket_labels[i],
                 fmt::format("{}", std::llround(cumulative[i])));
  }
  const std::string count = fmt::format("{}", snapshot.Count());
  AppendSample(out, bucket_name, labels, "le", "+Inf", count);
  const double sum = scaler.ToExported(static_cast<double>(snapshot.Sum()));
  AppendSample(out, name + "_sum", labels, {}, {}, detail::FormatFloat(sum));
  AppendSample(out, name + "_count", labels, {}, {}, count);
}

MetricsRegistry::MetricsRegistry() = default;

MetricsRegistry::~MetricsRegistry() = default;

Counter& MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const Labels& labels) {
  Labels key = CanonicalLabels(name, labels, Kind::kCounter);
  std::lock_guard lock(mutex_);
  Family::Series& series =
      Family::FindOrAdd(families_, name, help, Kind::kCounter).series[std::move(key)];
  if (!series.counter) series.counter = std::make_unique<Counter>();
  return *series.counter;
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const Labels& labels) {
  Labels key = CanonicalLabels(name, labels, Kind::kGauge);
  std::lock_guard lock(mutex_);
  Family::Series& series =
      Family::FindOrAdd(families_, name, help, Kind::kGauge).series[std::move(key)];
  if (!series.gauge) series.gauge = std::make_unique<Gauge>();
  return *series.gauge;
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const Labels& labels, const HistogramOptions& options) {
  Labels key = CanonicalLabels(name, labels, Kind::kHistogram);
  std::lock_guard lock(mutex_);
  Family::Series& series =
      Family::FindOrAdd(families_, name, help, Kind::kHistogram, options).series[std::move(key)];
  if (!series.histogram) series.histogram = std::make_unique<Histogram>();
  return *series.histogram;
}

std::string MetricsRegistry::PrometheusText() const {
  // Only the list of what to export is taken under the lock; formatting and histogram
  // snapshots happen outside it, so a scrape never holds up a registration on the request
  // path. Families and series are never removed and map nodes never move, so the pointers
  // stay valid; a series registered meanwhile appears in the next scrape.
  std::vector<std::pair<const Family*, std::vector<Family::SeriesRef>>> families;
  std::vector<std::shared_ptr<const Collector>> collectors;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, collector] : collectors_) collectors.push_back(collector);
    families.reserve(families_.size());
    for (const auto& [name, family] : families_) {
      auto& [family_ref, series_refs] =
          families.emplace_back(family.get(), std::vector<Family::SeriesRef>{});
      series_refs.reserve(family->series.size());
      for (const auto& [labels, one] : family->series) series_refs.push_back({&labels, &one});
    }
  }
  std::string out;
  for (const auto& [family, series_refs] : families) family->AppendText(out, series_refs);
  for (const auto& collector : collectors) (*collector)(out);
  return out;
}

size_t MetricsRegistry::AddCollector(Collector collector) {
  std::lock_guard lock(mutex_);
  const size_t id = next_collector_id_++;
  collectors_.emplace_back(id, std::make_shared<const Collector>(std::move(collector)));
  return id;
}

void MetricsRegistry::RemoveCollector(size_t id) {
  std::lock_guard lock(mutex_);
  std::erase_if(collectors_, [id](const auto& entry) { return entry.first == id; });
}

}  // namespace fastbreak::telemetry
