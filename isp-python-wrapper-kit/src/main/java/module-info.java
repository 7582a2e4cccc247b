/**
 * isp-python-wrapper-kit: hosts a Python service ({@code uv run main.py}) as a module of the ISP platform.
 *
 * <p>Only {@code ru.txix.isp.pywrapper} is API: {@link ru.txix.isp.pywrapper.PythonWrapper},
 * {@link ru.txix.isp.pywrapper.ModuleSpec}, {@link ru.txix.isp.pywrapper.WrapperOptions},
 * {@link ru.txix.isp.pywrapper.Endpoint}, {@link ru.txix.isp.pywrapper.ConfigDoc} and
 * {@link ru.txix.isp.pywrapper.LogLevel}. Every other package is internal: not exported, and without any
 * promise of compatibility.
 */
module ru.txix.isp.pywrapper {
  exports ru.txix.isp.pywrapper;

  // Users put Jakarta Validation constraints on their remote-config types.
  requires transitive jakarta.validation;

  requires com.fasterxml.jackson.annotation;
  requires tools.jackson.core;
  requires tools.jackson.databind;
  requires org.snakeyaml.engine;
  requires org.slf4j;
  requires ch.qos.logback.classic;
  requires ch.qos.logback.core;
  requires com.sun.jna;
  requires org.java_websocket;
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.model;
  requires io.prometheus.metrics.instrumentation.jvm;
  requires io.prometheus.writer.text;
  requires org.hibernate.validator;
  requires com.fasterxml.classmate;
  requires com.github.victools.jsonschema.generator;
  requires com.github.victools.jsonschema.module.jackson;
  requires com.github.victools.jsonschema.module.jakarta.validation;
  requires com.networknt.schema;
  requires jdk.httpserver;
  requires jdk.unsupported;

  // Reflection: Jackson writes the protocol records; JNA implements the libc interfaces.
  opens ru.txix.isp.pywrapper.cluster to tools.jackson.databind;
  opens ru.txix.isp.pywrapper.internal.posix to com.sun.jna;

  provides ch.qos.logback.classic.spi.Configurator with ru.txix.isp.pywrapper.app.LogbackDefaults;
}
