package ru.txix.isp.pywrapper.supervisor;

/** An inherited socket for fake children: a descriptor and an inode that nothing reads. */
record FixedSocket(int fd, long inode) implements ListeningSocket {
}
