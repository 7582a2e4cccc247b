package ru.txix.isp.pywrapper.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median and 95th percentile (nearest rank) of a sample, in milliseconds. */
record Stats(int count, double median, double p95, double min, double max) {

  static Stats ofNanos(List<Long> nanos) {
    List<Double> millis = new ArrayList<>();
    nanos.forEach(n -> millis.add(n / 1_000_000.0));
    Collections.sort(millis);
    return new Stats(millis.size(), percentile(millis, 50), percentile(millis, 95), millis.get(0),
        millis.get(millis.size() - 1));
  }

  private static double percentile(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
