package ru.txix.isp.pywrapper.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The words for a key nobody reads: {@code unknown key (did you mean restartDelay?)} when a known key is a
 * typo away, else the known keys. Case is ignored, as in the lookups.
 */
public final class UnknownKey {
  private UnknownKey() {
  }

  /** {@code unknown key (did you mean …?)}, or {@code unknown key (known: …)}. */
  public static String message(String key, Collection<String> known) {
    return "unknown key" + nearest(key, known).map(n -> " (did you mean " + n + "?)")
        .orElse(" (known: " + String.join(", ", known) + ")");
  }

  /**
   * The known key a typo away from {@code key}, ignoring case: at most 1 edit for keys of up to 4 characters, 2
   * up to 11, 3 beyond (an edit: a character added, removed or replaced).
   */
  public static Optional<String> nearest(String key, Collection<String> known) {
    String lower = key.toLowerCase(Locale.ROOT);
    String nearest = null;
    int best = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
      if (distance < best) {
        best = distance;
        nearest = candidate;
      }
    }
    if (nearest == null) {
      return Optional.empty();
    }
    int length = Math.max(lower.length(), nearest.length());
    int allowed = length <= 4 ? 1 : length <= 11 ? 2 : 3;
    return best <= allowed ? Optional.of(nearest) : Optional.empty();
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
