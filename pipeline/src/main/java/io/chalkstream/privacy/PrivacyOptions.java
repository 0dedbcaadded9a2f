package io.chalkstream.privacy;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How student data is kept: the options of the privacy officer. */
public interface PrivacyOptions extends PipelineOptions {
  @Description(
      "What happens to personal data (user ids, names, emails, photo URLs) in the change tables "
          + "and in resource_json: KEEP stores them; HASH replaces each with a keyed HMAC-SHA256 "
          + "(hex), so joins across tables and days still work; DROP leaves them null. HASH needs "
          + "--piiKeyFile or --piiKeySecret. Anything but KEEP also stops asking for the email "
          + "scope.")
  @Default.Enum("KEEP")
  PiiMode getPiiMode();

  void setPiiMode(PiiMode value);

  @Description(
      "With --piiMode=HASH: a file holding the HMAC key (its bytes, at least 32). The key "
          + "itself is never an option value, so it appears on no command line.")
  String getPiiKeyFile();

  void setPiiKeyFile(String value);

  @Description(
      "With --piiMode=HASH: a Secret Manager secret version holding the HMAC key, "
          + "projects/P/secrets/S/versions/V (for Dataflow workers).")
  String getPiiKeySecret();

  void setPiiKeySecret(String value);
}
