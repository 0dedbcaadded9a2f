package io.chalkstream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.chalkstream.cli.Main;
import org.junit.Test;

/** The layout of the README, checked on the compiled production classes of the pipeline. */
public class ArchitectureTest {
  // The pipeline module's own classes only: the simulator's are on the test classpath too.
  private static final JavaClasses PRODUCT = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importUrl(Main.class.getProtectionDomain().getCodeSource().getLocation());

  @Test
  public void capabilitiesDoNotDependOnEachOtherInACycle() {
    slices().matching("io.chalkstream.(*)..").should().beFreeOfCycles().check(PRODUCT);
  }

  @Test
  public void onlyTheCommandLineDependsOnTheCommands() {
    noClasses().that().resideOutsideOfPackage("io.chalkstream.cli..")
        .should().dependOnClassesThat().resideInAPackage("io.chalkstream.cli..")
        .check(PRODUCT);
  }

  @Test
  public void theProductNeverReachesTheSimulatorOrTheBench() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("io.chalkstream.simulator..",
            "io.chalkstream.local..", "io.chalkstream.bench..")
        .check(PRODUCT);
  }
}
