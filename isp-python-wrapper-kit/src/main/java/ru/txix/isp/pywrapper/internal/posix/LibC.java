package ru.txix.isp.pywrapper.internal.posix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few libc calls the JDK does not offer: signals to process groups and process-group lookup. */
interface LibC extends Library {
  LibC INSTANCE = Native.load("c", LibC.class);

  int kill(int pid, int signal) throws LastErrorException;

  int getpgid(int pid) throws LastErrorException;
}
