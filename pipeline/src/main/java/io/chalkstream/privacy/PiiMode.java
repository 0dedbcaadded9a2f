package io.chalkstream.privacy;

/** What happens to personal data on its way to the tables. */
public enum PiiMode {
  KEEP,
  HASH,
  DROP
}
