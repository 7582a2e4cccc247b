package ru.txix.isp.pywrapper.supervisor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeProcessLauncherTest {
  @TempDir
  Path dir;

  @Test
  void aClosedInheritedSocketStartsNoChildRatherThanOneThatBindsThePortItself() throws Exception {
    Files.writeString(dir.resolve("main.py"), "raise SystemExit('must not run')\n");
    NativeProcessLauncher launcher = new NativeProcessLauncher(new FixedSocket(-1, 0));

    assertThatThrownBy(() -> launcher.launch(new LaunchSpec("uv", List.of(), "main.py", dir, Map.of())))
        .isInstanceOf(LaunchException.class)
        .hasMessageContaining("the inherited listening socket is closed");
  }
}
