package ru.txix.isp.pywrapper.app;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import ru.txix.isp.pywrapper.Endpoint;
import ru.txix.isp.pywrapper.WrapperOptions;
import ru.txix.isp.pywrapper.config.RemoteConfigDeclaration;

/**
 * What an {@link Application} hosts and where.
 *
 * @param version the module's version
 * @param remoteConfig how the remote config is declared (a type, a schema file, or any object)
 * @param endpoints the Python service's HTTP endpoints, declared to the platform
 * @param requiredModules modules whose addresses the Python service needs
 * @param environment the process environment (the host's, unless a test passes its own)
 * @param workingDirectory the Python project's root
 * @param options the {@code python.*} values where {@code conf/config.yml} and the environment leave them out
 * @param declarationProblems what is wrong with the files the module is declared in ({@code conf/module.yml}),
 *     reported with the other start-up problems
 */
public record AppSpec(String version, RemoteConfigDeclaration remoteConfig, List<Endpoint> endpoints,
                      List<String> requiredModules, Map<String, String> environment, Path workingDirectory,
                      WrapperOptions options, List<String> declarationProblems) {
  public AppSpec {
    requireNonNull(version, "version");
    requireNonNull(remoteConfig, "remoteConfig");
    endpoints = List.copyOf(endpoints);
    requiredModules = List.copyOf(requiredModules);
    environment = Map.copyOf(environment);
    requireNonNull(workingDirectory, "workingDirectory");
    requireNonNull(options, "options");
    declarationProblems = List.copyOf(declarationProblems);
  }
}
