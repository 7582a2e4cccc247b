package ru.txix.isp.pywrapper;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The library's public surface: what user code can see is the API of the root package and nothing else. The
 * module descriptor exports only that package; on the class path, where every public type is reachable, this
 * test keeps the root package to the API and the API's signatures free of internal types.
 */
class ApiBoundaryTest {
  private static final String API = "ru.txix.isp.pywrapper";
  private static final JavaClasses LIBRARY = importMainClasses();

  /** The library's own classes only; referenced JDK and third-party types are known by name, not imported. */
  private static JavaClasses importMainClasses() {
    ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
    return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPath(Path.of("target/classes"));
  }

  @Test
  void theRootPackageHoldsTheApiAndNothingElse() {
    Set<String> visible = LIBRARY.stream()
        .filter(c -> c.getPackageName().equals(API) && isVisible(c))
        .map(JavaClass::getName).collect(Collectors.toCollection(TreeSet::new));

    assertThat(visible).containsExactlyInAnyOrder(
        API + ".PythonWrapper", API + ".ModuleSpec", API + ".ModuleSpec$Builder", API + ".WrapperOptions",
        API + ".WrapperOptions$Builder", API + ".Endpoint", API + ".ConfigDoc", API + ".LogLevel");
  }

  @Test
  void theApiNamesOnlyApiAndJdkTypesInItsSignatures() {
    List<String> leaks = new ArrayList<>();
    LIBRARY.stream().filter(c -> c.getPackageName().equals(API) && isVisible(c)).forEach(api -> {
      for (JavaCodeUnit unit : api.getCodeUnits()) {
        if (unit.getModifiers().contains(JavaModifier.PUBLIC) || unit.getModifiers().contains(JavaModifier.PROTECTED)) {
          List<JavaClass> types = new ArrayList<>(unit.getReturnType().getAllInvolvedRawTypes());
          unit.getParameterTypes().forEach(t -> types.addAll(t.getAllInvolvedRawTypes()));
          types.stream().filter(t -> !allowed(t)).forEach(t -> leaks.add(unit.getFullName() + " uses " + t.getName()));
        }
      }
      for (JavaField field : api.getFields()) {
        if (field.getModifiers().contains(JavaModifier.PUBLIC)) {
          field.getType().getAllInvolvedRawTypes().stream().filter(t -> !allowed(t))
              .forEach(t -> leaks.add(field.getFullName() + " is a " + t.getName()));
        }
      }
    });

    assertThat(leaks).isEmpty();
  }

  @Test
  void theModuleExportsOnlyTheApiPackage() throws IOException {
    Path descriptor = Path.of("target/classes/module-info.class");
    ModuleDescriptor module;
    try (InputStream in = Files.newInputStream(descriptor)) {
      module = ModuleDescriptor.read(in);
    }

    assertThat(module.name()).isEqualTo(API);
    assertThat(module.exports()).singleElement().satisfies(export -> {
      assertThat(export.source()).isEqualTo(API);
      assertThat(export.isQualified()).isFalse();
    });
    assertThat(module.opens()).allSatisfy(open -> assertThat(open.isQualified()).as(open.source()).isTrue());
  }

  private static boolean isVisible(JavaClass type) {
    return type.getModifiers().contains(JavaModifier.PUBLIC)
        && (type.getEnclosingClass().isEmpty() || isVisible(type.getEnclosingClass().get()));
  }

  private static boolean allowed(JavaClass type) {
    JavaClass base = type.isArray() ? type.getBaseComponentType() : type;
    return base.isPrimitive() || base.getPackageName().startsWith("java.") || base.getPackageName().equals(API);
  }
}
