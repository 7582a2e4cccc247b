package ru.txix.isp.pywrapper.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * This kit's version, from the build ({@code version.properties}, filtered by Maven): {@code 1.0.0}; sent to the
 * config service as the module's {@code libVersion} in the form the platform shows for Go modules, whose build
 * info carries the module version tag ({@code v1.64.8}): {@code v1.0.0}.
 */
public final class LibraryVersion {
  private static final String VERSION = read();

  private LibraryVersion() {
  }

  /** The version, e.g. {@code 1.0.0}. */
  public static String get() {
    return VERSION;
  }

  /** The version as {@code libVersion}: {@code v1.0.0}. */
  public static String tag() {
    return "v" + VERSION;
  }

  private static String read() {
    try (InputStream in = LibraryVersion.class.getResourceAsStream("/ru/txix/isp/pywrapper/version.properties")) {
      if (in == null) {
        return "0.0.0";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "0.0.0");
    } catch (IOException e) {
      return "0.0.0";
    }
  }
}
