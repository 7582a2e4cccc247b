package ru.txix.isp.pywrapper.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ProcTableTest {
  @Test
  void parsesAStatLineWhoseCommandHoldsSpacesAndParentheses() {
    String stat = "4242 (we(ird) name) S 17 4242 4240 0 -1 4194560 156 0 0 0 3 1 0 0 20 0 1 0 894708 10 11 -1\n";

    assertThat(ProcTable.parse(4242, stat)).isEqualTo(new ProcTable.Entry(4242, 17, 4242, 4240, 'S', 894708));
  }

  @Test
  void aTruncatedLineIsNoEntry() {
    assertThat(ProcTable.parse(1, "1 (init) S 0 1 1 0 -1")).isNull();
    assertThat(ProcTable.parse(1, "garbage")).isNull();
  }

  @Test
  void readsThisProcessAsTheJdkSeesIt() {
    Assumptions.assumeTrue(ProcTable.available(), "no /proc");
    ProcessHandle self = ProcessHandle.current();

    ProcTable.Entry entry = ProcTable.read(self.pid()).orElseThrow();

    assertThat(entry.ppid()).isEqualTo(self.parent().orElseThrow().pid());
    assertThat(entry.alive()).isTrue();
    assertThat(ProcTable.all()).extracting(ProcTable.Entry::pid).contains(self.pid());
  }
}
