package ru.txix.isp.pywrapper.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One step of the README's guide ("Your own service, step by step"), as its text marks it: an HTML comment
 * {@code <!-- guide: KIND [ARGUMENT] -->} on a line of its own, before the fenced block it applies to (only blank
 * lines and other comments between them). The kinds:
 *
 * <ul>
 *   <li>{@code run}: shell commands, run once, as typed in one terminal (the working directory and the exported
 *       variables carry over to the next step); they must succeed;
 *   <li>{@code file PATH}: the block is the content of the file {@code PATH} (relative to the working directory);
 *   <li>{@code host}: the one command that starts the host, which runs until a {@code stop};
 *   <li>{@code check}: commands typed in another terminal while the host runs: run again until they succeed and
 *       show what they say they show (the service starts in the meantime);
 *   <li>{@code stop} (no block): Ctrl-C to the host, which must exit 0.
 * </ul>
 *
 * <p>In {@code run} and {@code check} blocks, a comment {@code # → TEXT} after a command is what its output shows:
 * the output must contain it ({@code …} standing for anything), and these in the order written. Every fenced block
 * from the first marker to the last must carry a marker, so that the guide has no step a test does not run.
 *
 * @param kind what to do with the block
 * @param argument the file's path for {@code file}, else empty
 * @param text the block's content (ends with a newline), empty for {@code stop}
 * @param line the marker's line in the README (1-based), for messages
 */
record GuideStep(Kind kind, String argument, String text, int line) {
  enum Kind { RUN, FILE, HOST, CHECK, STOP }

  private static final Pattern MARKER = Pattern.compile("<!-- guide: ([a-z]+)(?: (\\S+))? -->");
  private static final Pattern SHOWN = Pattern.compile("#\\s*→(.*)$");

  /** The marked steps of {@code markdown}, in order; fails on a marker without its block or a block without one. */
  static List<GuideStep> parse(String markdown) {
    String[] lines = markdown.split("\n", -1);
    List<GuideStep> steps = new ArrayList<>();
    List<Integer> unmarkedBlocks = new ArrayList<>();
    int first = -1;
    int last = -1;
    for (int i = 0; i < lines.length; i++) {
      Matcher marker = MARKER.matcher(lines[i].strip());
      if (lines[i].startsWith("```")) {
        unmarkedBlocks.add(i + 1);
        i = closingFence(lines, i);
        continue;
      }
      if (!marker.matches()) {
        continue;
      }
      first = first < 0 ? i + 1 : first;
      last = i + 1;
      Kind kind = kind(marker.group(1), i + 1);
      String argument = marker.group(2) == null ? "" : marker.group(2);
      if ((kind == Kind.FILE) == argument.isEmpty()) {
        throw new IllegalArgumentException("README.md:" + (i + 1) + ": `guide: " + marker.group(1) + "` "
            + (kind == Kind.FILE ? "needs the file's path" : "takes no argument"));
      }
      if (kind == Kind.STOP) {
        steps.add(new GuideStep(kind, "", "", i + 1));
        continue;
      }
      int open = i + 1;
      while (open < lines.length && (lines[open].isBlank() || lines[open].strip().startsWith("<!--"))
          && !MARKER.matcher(lines[open].strip()).matches()) {
        open++;
      }
      if (open >= lines.length || !lines[open].startsWith("```")) {
        throw new IllegalArgumentException("README.md:" + (i + 1) + ": the marker `guide: " + marker.group(1)
            + "` is not followed by a code block");
      }
      int close = closingFence(lines, open);
      StringBuilder text = new StringBuilder();
      for (int k = open + 1; k < close; k++) {
        text.append(lines[k]).append('\n');
      }
      steps.add(new GuideStep(kind, argument, text.toString(), i + 1));
      last = close + 1;
      i = close;
    }
    final int from = first;
    final int to = last;
    List<Integer> strays = unmarkedBlocks.stream().filter(line -> line > from && line < to).toList();
    if (!strays.isEmpty()) {
      throw new IllegalArgumentException("README.md: code blocks inside the guide without a `<!-- guide: … -->` "
          + "marker, so no test would run them, at lines " + strays);
    }
    return steps;
  }

  /** What the block's output must show: the text after each {@code # →}, in order. */
  List<String> shown() {
    List<String> shown = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher matcher = SHOWN.matcher(line);
      if (matcher.find()) {
        shown.add(matcher.group(1).strip());
      }
    }
    return shown;
  }

  /** Whether {@code output} shows everything {@link #shown()} says, in order ({@code …} matches anything). */
  boolean isShownBy(String output) {
    int at = 0;
    for (String expected : shown()) {
      for (String part : expected.split("…", -1)) {
        int found = output.indexOf(part, at);
        if (found < 0) {
          return false;
        }
        at = found + part.length();
      }
    }
    return true;
  }

  /** The step as the README shows it, for messages. */
  String describe() {
    String head = "README.md:" + line + " (guide: " + kind.name().toLowerCase(Locale.ROOT)
        + (argument.isEmpty() ? "" : " " + argument) + ")";
    return text.isEmpty() ? head : head + "\n" + text.strip();
  }

  private static Kind kind(String name, int line) {
    for (Kind kind : Kind.values()) {
      if (kind.name().toLowerCase(Locale.ROOT).equals(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("README.md:" + line + ": unknown guide step `" + name + "`");
  }

  private static int closingFence(String[] lines, int open) {
    for (int k = open + 1; k < lines.length; k++) {
      if (lines[k].startsWith("```")) {
        return k;
      }
    }
    throw new IllegalArgumentException("README.md:" + (open + 1) + ": a code block that never ends");
  }
}
