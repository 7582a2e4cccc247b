package ru.txix.isp.pywrapper;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP endpoint of the Python service, declared to the platform so that the gateway routes to it.
 *
 * <pre>{@code
 * Endpoint.post("/api/my-module/do")
 * Endpoint.get("/api/my-module/report").withUserAuthRequired().withAdminPermission("reports_read")
 * Endpoint.post("/internal/my-module/sync").asInner()
 * }</pre>
 *
 * @param path the route, e.g. {@code /api/my-module/do}
 * @param inner true for an endpoint only other modules may call
 * @param userAuthRequired true when the gateway must authenticate a user first
 * @param httpMethod {@code GET}, {@code POST}…; required (the module's transport is HTTP)
 * @param extra free-form metadata, e.g. {@code {"reqAdminPerm": "perm"}}; null when unset. Its entries keep
 *     their order.
 */
public record Endpoint(String path, boolean inner, boolean userAuthRequired, String httpMethod,
                       Map<String, Object> extra) {
  /** The {@code extra} key for a required admin permission. */
  public static final String REQUIRED_ADMIN_PERMISSION = "reqAdminPerm";

  /**
   * Checks the path and copies {@code extra} (its order kept; null values allowed: JSON's {@code null}).
   *
   * @param path the route
   * @param inner true for an endpoint only other modules may call
   * @param userAuthRequired true when the gateway must authenticate a user first
   * @param httpMethod the HTTP method
   * @param extra free-form metadata, or null
   */
  public Endpoint {
    requireNonNull(path, "path");
    extra = extra == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
  }

  /**
   * An endpoint with the given method.
   *
   * @param httpMethod the HTTP method, upper-cased here
   * @param path the route
   * @return the endpoint
   */
  public static Endpoint of(String httpMethod, String path) {
    return new Endpoint(path, false, false, httpMethod == null ? null : httpMethod.toUpperCase(Locale.ROOT), null);
  }

  /**
   * A {@code GET} endpoint.
   *
   * @param path the route
   * @return the endpoint
   */
  public static Endpoint get(String path) {
    return of("GET", path);
  }

  /**
   * A {@code POST} endpoint.
   *
   * @param path the route
   * @return the endpoint
   */
  public static Endpoint post(String path) {
    return of("POST", path);
  }

  /**
   * A {@code PUT} endpoint.
   *
   * @param path the route
   * @return the endpoint
   */
  public static Endpoint put(String path) {
    return of("PUT", path);
  }

  /**
   * A {@code DELETE} endpoint.
   *
   * @param path the route
   * @return the endpoint
   */
  public static Endpoint delete(String path) {
    return of("DELETE", path);
  }

  /**
   * Only other modules may call it.
   *
   * @return a copy marked inner
   */
  public Endpoint asInner() {
    return new Endpoint(path, true, userAuthRequired, httpMethod, extra);
  }

  /**
   * The gateway authenticates a user first.
   *
   * @return a copy that requires user authentication
   */
  public Endpoint withUserAuthRequired() {
    return new Endpoint(path, inner, true, httpMethod, extra);
  }

  /**
   * Adds {@code key: value} to {@code extra}.
   *
   * @param key the key
   * @param value the value (JSON-serialisable)
   * @return a copy with the entry
   */
  public Endpoint withExtra(String key, Object value) {
    Map<String, Object> copy = extra == null ? new LinkedHashMap<>() : new LinkedHashMap<>(extra);
    copy.put(key, value);
    return new Endpoint(path, inner, userAuthRequired, httpMethod, copy);
  }

  /**
   * Requires an admin permission ({@code extra.reqAdminPerm}).
   *
   * @param permission the permission's name
   * @return a copy that requires it
   */
  public Endpoint withAdminPermission(String permission) {
    return withExtra(REQUIRED_ADMIN_PERMISSION, permission);
  }
}
