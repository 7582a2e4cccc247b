package ru.txix.isp.example;

import java.util.List;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.PythonWrapper;

/**
 * Hosts examples/fastapi-service with a typed remote config. Run from that folder:
 *
 * <pre>
 * cd examples/fastapi-service
 * CLUSTER_MODE=offline java -jar ../java-main/target/java-main-example.jar
 * </pre>
 */
public final class FastApiServiceMain {
  private FastApiServiceMain() {
  }

  public static void main(String[] args) {
    PythonWrapper.run("1.0.0", RemoteConfig.class,
        List.of(Endpoint.post("/api/fastapi-service/greet"),
            Endpoint.get("/api/fastapi-service/info").withUserAuthRequired()
                .withAdminPermission("fastapi_service_view")),
        List.of("isp-auth-service"));
  }
}
