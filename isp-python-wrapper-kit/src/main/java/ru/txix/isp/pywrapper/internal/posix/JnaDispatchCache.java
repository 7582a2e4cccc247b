package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * JNA's native dispatch library kept in a folder of the start script's (system property
 * {@value #PROPERTY}: {@code isp-python-wrapper.native} beside the jar), so that a start loads it from there.
 * Without it JNA copies the library out of the jar into a temporary file on every start — a secure-random file
 * name (the JDK's security providers, loaded for it), 130 KB written, the file deleted at exit — some 10 ms of
 * a cold JVM.
 *
 * <p>The library sits in a sub-folder named by JNA's native version ({@code jna-7.0.4}), so that a folder left
 * by another jar is never used by this one. Copied there when the folder exists and lacks it (the script makes
 * the folder with the cache, at {@code --create-cache}); any failure leaves JNA to its own way.
 */
final class JnaDispatchCache {
  static final String PROPERTY = "isp.pywrapper.nativeCache";
  private static final String LIBRARY = System.mapLibraryName("jnidispatch");

  private JnaDispatchCache() {
  }

  /** Points JNA at the kept library, copying it there first if needed; before JNA loads. */
  static void use() {
    String folder = System.getProperty(PROPERTY);
    if (folder == null || folder.isEmpty() || System.getProperty("jna.boot.library.path") != null) {
      return;
    }
    Path versioned = Path.of(folder, "jna-" + Native.VERSION_NATIVE); // a constant: Native is not loaded here
    Path library = versioned.resolve(LIBRARY);
    if (!Files.isRegularFile(library) && !copy(versioned, library)) {
      return;
    }
    System.setProperty("jna.boot.library.path", versioned.toString());
  }

  private static boolean copy(Path versioned, Path library) {
    if (!Files.isDirectory(versioned.getParent())) {
      return false;
    }
    String resource = "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + LIBRARY;
    try (InputStream in = Native.class.getResourceAsStream(resource)) {
      if (in == null) {
        return false;
      }
      Files.createDirectories(versioned);
      Path temporary = versioned.resolve(LIBRARY + "." + ProcessHandle.current().pid() + ".tmp");
      try {
        Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temporary, library, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temporary);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
