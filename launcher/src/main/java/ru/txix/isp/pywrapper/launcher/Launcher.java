package ru.txix.isp.pywrapper.launcher;

import ru.txix.isp.pywrapper.app.AppSpec;
import ru.txix.isp.pywrapper.app.Application;
import ru.txix.isp.pywrapper.app.LogbackDefaults;
import ru.txix.isp.pywrapper.config.RemoteConfigValidator;

/**
 * {@code java -jar isp-python-wrapper.jar}, run from a Python project's root: hosts {@code main.py} as an ISP
 * module declared by the files in {@code conf/}.
 */
public final class Launcher {
  private Launcher() {
  }

  public static void main(String[] args) {
    int code = new Application(AppSpec.forHost("0.0.0", RemoteConfigValidator.NONE)).run();
    LogbackDefaults.flush();
    System.exit(code);
  }
}
