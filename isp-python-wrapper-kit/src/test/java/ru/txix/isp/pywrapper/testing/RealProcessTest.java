package ru.txix.isp.pywrapper.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * Marks a test class that runs real {@code uv}, real Python processes, real sockets and real signals. These
 * are tagged {@code process}; each test is bounded in time.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("process")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public @interface RealProcessTest {
}
