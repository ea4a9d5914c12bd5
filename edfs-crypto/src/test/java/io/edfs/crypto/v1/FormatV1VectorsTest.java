package io.edfs.crypto.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fixed inputs and outputs of format v1, generated once and stored in {@code
 * format-v1-vectors.json}. A failure here means format v1 changed and stored data would no longer
 * read: fix the code, never the vectors.
 */
@DisplayName("Format v1 test vectors")
class FormatV1VectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static JsonNode vectors;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in =
        FormatV1VectorsTest.class.getResourceAsStream("/format-v1-vectors.json")) {
      assertThat(in).as("format-v1-vectors.json on the test classpath").isNotNull();
      vectors = new ObjectMapper().readTree(in);
    }
  }

  private static byte[] hex(JsonNode node, String field) {
    return HEX.parseHex(node.get(field).asText());
  }

  private static UUID uuid(JsonNode node, String field) {
    return UUID.fromString(node.get(field).asText());
  }

  private static PasswordKeys passwordKeys(JsonNode v) {
    return PasswordKeys.derive(
        v.get("password").asText().toCharArray(),
        hex(v, "salt"),
        new Argon2Params(
            v.get("memoryKib").asInt(), v.get("iterations").asInt(), v.get("parallelism").asInt()));
  }

  @Test
  @DisplayName("Argon2id and HKDF turn a password into the same auth key")
  void passwords() {
    assertThat(vectors.get("passwords")).hasSize(2);
    for (JsonNode v : vectors.get("passwords")) {
      try (PasswordKeys keys = passwordKeys(v)) {
        assertThat(HEX.formatHex(keys.authKey())).isEqualTo(v.get("authKey").asText());
      }
    }
  }

  @Test
  @DisplayName("AES-SIV encrypts names to the same bytes, and decrypts them to NFC")
  void names() {
    assertThat(vectors.get("names")).hasSize(4);
    for (JsonNode v : vectors.get("names")) {
      try (NodeSecret folder = NodeSecret.fromBytes(hex(v, "folderSecret"))) {
        UUID folderId = uuid(v, "folderId");
        byte[] expected = hex(v, "encryptedName");
        assertThat(folder.encryptChildName(v.get("name").asText(), folderId)).isEqualTo(expected);
        assertThat(folder.decryptChildName(expected, folderId))
            .isEqualTo(v.get("nfcName").asText());
      }
    }
  }

  @Test
  @DisplayName("a stored wrapped child key unwraps only with its child's encrypted name")
  void wrappedChild() {
    JsonNode v = vectors.get("wrappedChild");
    UUID folderId = uuid(v, "folderId");
    UUID childId = uuid(v, "childId");
    byte[] encName = hex(v, "childEncName");
    assertThat(new String(Labels.childKey(childId, folderId, encName), StandardCharsets.UTF_8))
        .isEqualTo(v.get("associatedData").asText());
    try (NodeSecret folder = NodeSecret.fromBytes(hex(v, "folderSecret"))) {
      assertThat(folder.encryptChildName(v.get("childName").asText(), folderId))
          .isEqualTo(encName);
      try (NodeSecret child = folder.unwrapChild(hex(v, "wrapped"), childId, folderId, encName)) {
        assertThat(child.rawBytes()).isEqualTo(hex(v, "childSecret"));
      }
      byte[] sibling = folder.encryptChildName("b", folderId);
      assertThatThrownBy(() -> folder.unwrapChild(hex(v, "wrapped"), childId, folderId, sibling))
          .isInstanceOf(TamperedException.class);
    }
  }

  @Test
  @DisplayName(
      "a stored sealed account opens with the password, re-exports byte for byte and unwraps its"
          + " home")
  void account() {
    JsonNode v = vectors.get("account");
    UUID userId = uuid(v, "userId");
    try (PasswordKeys keys = passwordKeys(vectors.get("passwords").get(0));
        AccountKeys account = keys.openAccount(hex(v, "sealed"), userId);
        NodeSecret home = account.unwrapHome(hex(v, "wrappedHome"), uuid(v, "homeId"), userId)) {
      assertThat(account.exportPrivate()).isEqualTo(hex(v, "privateBundle"));
      assertThat(account.publicKeys()).isEqualTo(hex(v, "publicKeys"));
      assertThat(home.rawBytes()).isEqualTo(hex(v, "homeSecret"));
    }
  }

  @Test
  @DisplayName("a stored grant opens with the recipient's private bundle")
  void grant() {
    JsonNode v = vectors.get("grant");
    try (AccountKeys recipient = AccountKeys.importPrivate(hex(v, "recipientPrivateBundle"));
        Sharing.Opened opened =
            recipient.openGrant(
                hex(v, "sealed"),
                uuid(v, "nodeId"),
                uuid(v, "granteeId"),
                v.get("mode").asText())) {
      assertThat(opened.secret().rawBytes()).isEqualTo(hex(v, "nodeSecret"));
      assertThat(opened.name()).isEqualTo(v.get("name").asText());
    }
  }

  @Test
  @DisplayName("stored private bundles export byte for byte again after their keysets were used")
  void bundlesAfterUse() {
    JsonNode g = vectors.get("grant");
    byte[] recipientBundle = hex(g, "recipientPrivateBundle");
    try (AccountKeys recipient = AccountKeys.importPrivate(recipientBundle)) {
      recipient
          .openGrant(
              hex(g, "sealed"), uuid(g, "nodeId"), uuid(g, "granteeId"), g.get("mode").asText())
          .close();
      assertThat(recipient.exportPrivate()).isEqualTo(recipientBundle);
    }
    JsonNode a = vectors.get("account");
    try (AccountKeys account = AccountKeys.importPrivate(hex(a, "privateBundle"))) {
      assertThat(account.publicKeys()).isEqualTo(hex(a, "publicKeys"));
      assertThat(account.exportPrivate()).isEqualTo(hex(a, "privateBundle"));
    }
  }

  @Test
  @DisplayName("a stored content stream decrypts to the expected plaintext, at the expected size")
  void content() throws Exception {
    JsonNode v = vectors.get("content");
    int segmentSize = v.get("segmentSize").asInt();
    int length = v.get("plaintextLength").asInt();
    byte[] ciphertext = Base64.getDecoder().decode(v.get("ciphertextBase64").asText());
    assertThat(ciphertext).hasSize(v.get("ciphertextLength").asInt());
    assertThat(ContentFormat.ciphertextSize(length, segmentSize)).isEqualTo(ciphertext.length);
    assertThat(ContentFormat.plaintextSize(ciphertext.length, segmentSize)).isEqualTo(length);

    byte[] expected = new byte[length];
    for (int i = 0; i < length; i++) {
      expected[i] = (byte) (i * 31 + 7);
    }
    assertThat(HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(expected)))
        .isEqualTo(v.get("plaintextSha256").asText());
    try (NodeSecret file = NodeSecret.fromBytes(hex(v, "fileSecret"));
        InputStream in =
            file.decryptingStream(
                new ByteArrayInputStream(ciphertext),
                uuid(v, "fileId"),
                uuid(v, "versionId"),
                segmentSize)) {
      assertThat(in.readAllBytes()).isEqualTo(expected);
    }
  }
}
