package ru.txix.isp.pywrapper;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
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
 * @param extra free-form metadata, e.g. {@code {"reqAdminPerm": "perm"}}; null when unset
 */
@JsonPropertyOrder({"path", "inner", "userAuthRequired", "httpMethod", "extra"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Endpoint(String path, boolean inner, boolean userAuthRequired, String httpMethod,
                       Map<String, Object> extra) {
  /** The {@code extra} key for a required admin permission. */
  public static final String REQUIRED_ADMIN_PERMISSION = "reqAdminPerm";

  public Endpoint {
    requireNonNull(path, "path");
    extra = extra == null ? null : Map.copyOf(extra);
  }

  public static Endpoint of(String httpMethod, String path) {
    return new Endpoint(path, false, false, httpMethod == null ? null : httpMethod.toUpperCase(Locale.ROOT), null);
  }

  public static Endpoint get(String path) {
    return of("GET", path);
  }

  public static Endpoint post(String path) {
    return of("POST", path);
  }

  public static Endpoint put(String path) {
    return of("PUT", path);
  }

  public static Endpoint delete(String path) {
    return of("DELETE", path);
  }

  /** Only other modules may call it. */
  public Endpoint asInner() {
    return new Endpoint(path, true, userAuthRequired, httpMethod, extra);
  }

  /** The gateway authenticates a user first. */
  public Endpoint withUserAuthRequired() {
    return new Endpoint(path, inner, true, httpMethod, extra);
  }

  /** Adds {@code key: value} to {@code extra}. */
  public Endpoint withExtra(String key, Object value) {
    Map<String, Object> copy = extra == null ? new LinkedHashMap<>() : new LinkedHashMap<>(extra);
    copy.put(key, value);
    return new Endpoint(path, inner, userAuthRequired, httpMethod, copy);
  }

  /** Requires an admin permission ({@code extra.reqAdminPerm}). */
  public Endpoint withAdminPermission(String permission) {
    return withExtra(REQUIRED_ADMIN_PERMISSION, permission);
  }
}
