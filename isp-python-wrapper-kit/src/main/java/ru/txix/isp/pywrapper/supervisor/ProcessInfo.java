package ru.txix.isp.pywrapper.supervisor;

/**
 * One process of a child, as the host sees it.
 *
 * @param pid its pid
 * @param ppid its parent's pid
 * @param command its command line ({@code ""} when unreadable)
 */
public record ProcessInfo(long pid, long ppid, String command) {
}
