package ru.txix.isp.pywrapper.launcher;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The launcher is a thin main over the library: it reaches the library through the public API only. */
class LauncherUsesOnlyTheApiTest {

  @Test
  void theLauncherDependsOnTheLibrarysApiPackageAlone() {
    ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
    JavaClasses launcher = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPath(Path.of("target/classes"));

    noClasses().that().resideInAPackage("ru.txix.isp.pywrapper.launcher..")
        .should().dependOnClassesThat(resideInAPackage("ru.txix.isp.pywrapper..")
            .and(not(resideInAPackage("ru.txix.isp.pywrapper")))
            .and(not(resideInAPackage("ru.txix.isp.pywrapper.launcher.."))))
        .check(launcher);
  }
}
