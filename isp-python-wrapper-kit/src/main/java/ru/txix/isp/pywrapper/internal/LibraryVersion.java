package ru.txix.isp.pywrapper.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** This library's version (sent as {@code libVersion} in {@code MODULE:READY}). */
public final class LibraryVersion {
  private static final String VERSION = read();

  private LibraryVersion() {
  }

  public static String get() {
    return VERSION;
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
