package io.chalkstream.history;

import java.sql.Connection;
import java.sql.DriverManager;

/** A second process holding a DuckDB file open for writing until its stdin closes. */
public final class HoldDuckDbFile {
  private HoldDuckDbFile() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + args[0])) {
      c.createStatement().execute("CREATE TABLE IF NOT EXISTS held (x INTEGER)");
      System.out.println("held");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the test to let go
      }
    }
  }
}
