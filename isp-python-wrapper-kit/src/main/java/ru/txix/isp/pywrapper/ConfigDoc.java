package ru.txix.isp.pywrapper;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Documents a field of the remote-config type in the JSON schema the config service shows its editors.
 *
 * <pre>{@code
 * record RemoteConfig(
 *     @ConfigDoc(title = "Database host", description = "host name or IP") @NotBlank String dbHost,
 *     @ConfigDoc(title = "Pool size", defaultValue = "10") @Min(1) @Max(100) int poolSize) {
 * }
 * }</pre>
 */
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface ConfigDoc {
  /**
   * The {@code title} of the property.
   *
   * @return the title; empty for none
   */
  String title() default "";

  /**
   * The {@code description} of the property.
   *
   * @return the description; empty for none
   */
  String description() default "";

  /**
   * The {@code default}, written as text and typed after the field (a number for numbers…).
   *
   * @return the default; empty for none
   */
  String defaultValue() default "";
}
