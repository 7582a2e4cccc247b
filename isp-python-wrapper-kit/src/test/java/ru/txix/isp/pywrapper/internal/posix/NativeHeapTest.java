package ru.txix.isp.pywrapper.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class NativeHeapTest {
  private static final int CHUNK = 32 * 1024; // below glibc's mmap threshold: from the heap, kept when freed
  private static final int CHUNKS = 2048; // 64 MiB

  @Test
  void trimmingGivesTheFreedPagesOfTheCHeapBackToTheOs() throws Exception {
    Assumptions.assumeTrue(NativeHeap.trim(), "no glibc malloc_trim here");
    long[] chunks = new long[CHUNKS];
    for (int i = 0; i < CHUNKS; i++) {
      chunks[i] = Native.malloc(CHUNK);
      new Pointer(chunks[i]).setMemory(0, CHUNK, (byte) 1);
    }
    for (int i = 0; i < CHUNKS - 1; i++) {
      Native.free(chunks[i]); // the last one stays: glibc cannot simply shrink the heap from its top
    }
    long held = rssAnonKib();

    assertThat(NativeHeap.trim()).isTrue();
    long trimmed = rssAnonKib();
    Native.free(chunks[CHUNKS - 1]);

    assertThat(held - trimmed).as("KiB given back, of 64 MiB freed").isGreaterThan(32 * 1024);
  }

  private static long rssAnonKib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("RssAnon:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no RssAnon in /proc/self/status");
  }
}
