package ru.txix.isp.pywrapper;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Which package of the library may use which. Each capability — {@code supervisor}, {@code cluster} (with
 * {@code cluster.etp}), {@code config}, {@code http} — depends only on itself, on {@code internal} (the types the
 * packages share) and on the root's value types; {@code app} is the one place that wires them together;
 * {@code internal} depends on nothing else of the library. JDK and third-party classes are free for all.
 */
class LayersTest {
  private static final String ROOT = "ru.txix.isp.pywrapper";
  private static final JavaClasses LIBRARY = importMainClasses();

  /** The root's values, which every layer may take: the API's own records and options. */
  private static final DescribedPredicate<JavaClass> ROOT_VALUES = belongToAnyOf(Endpoint.class, ConfigDoc.class,
      LogLevel.class, WrapperOptions.class);
  private static final DescribedPredicate<JavaClass> OUTSIDE_THE_LIBRARY = not(resideInAPackage(ROOT + ".."));

  private static JavaClasses importMainClasses() {
    ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
    return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPath(Path.of("target/classes"));
  }

  @Test
  void theSupervisorDependsOnlyOnInternalAndTheRootsValues() {
    capability("supervisor");
  }

  @Test
  void theClusterClientDependsOnlyOnInternalAndTheRootsValues() {
    capability("cluster");
  }

  @Test
  void theConfigPackageDependsOnlyOnInternalAndTheRootsValues() {
    capability("config");
  }

  @Test
  void theHttpPackageDependsOnlyOnInternalAndTheRootsValues() {
    capability("http");
  }

  @Test
  void theEtpLayerKnowsNothingOfTheSessionAboveIt() {
    classes().that().resideInAPackage(ROOT + ".cluster.etp..")
        .should().onlyDependOnClassesThat(resideInAnyPackage(ROOT + ".cluster.etp..", ROOT + ".internal..")
            .or(OUTSIDE_THE_LIBRARY))
        .check(LIBRARY);
  }

  @Test
  void internalDependsOnNothingElseOfTheLibrary() {
    classes().that().resideInAPackage(ROOT + ".internal..")
        .should().onlyDependOnClassesThat(resideInAPackage(ROOT + ".internal..").or(OUTSIDE_THE_LIBRARY))
        .check(LIBRARY);
  }

  @Test
  void onlyTheRootsEntryPointUsesTheApplication() {
    classes().that().resideInAPackage(ROOT + ".app..")
        .should().onlyHaveDependentClassesThat(resideInAPackage(ROOT + ".app..")
            .or(belongToAnyOf(PythonWrapper.class)))
        .check(LIBRARY);
  }

  private static void capability(String name) {
    classes().that().resideInAPackage(ROOT + "." + name + "..")
        .should().onlyDependOnClassesThat(resideInAnyPackage(ROOT + "." + name + "..", ROOT + ".internal..")
            .or(ROOT_VALUES).or(OUTSIDE_THE_LIBRARY))
        .check(LIBRARY);
  }
}
