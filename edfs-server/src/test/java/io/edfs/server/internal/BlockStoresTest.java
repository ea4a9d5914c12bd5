package io.edfs.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Block store URIs")
class BlockStoresTest {
  @TempDir Path dir;

  @Test
  @DisplayName("no URI is folder blocks in the data folder; file: URIs name a folder")
  void files() throws Exception {
    try (BlockStore s = BlockStores.open(null, dir)) {
      assertThat(s.describe()).isEqualTo("folder " + dir.resolve("blocks"));
    }
    try (BlockStore s = BlockStores.open("file://" + Files.createDirectories(dir.resolve("x")), dir)) {
      assertThat(s.describe()).isEqualTo("folder " + dir.resolve("x"));
    }
    assertThatThrownBy(() -> BlockStores.open("file:", dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a folder");
  }

  @Test
  @DisplayName("a file: folder that does not exist (a share that is not mounted) is refused, not created")
  void missingFolder() {
    Path blocks = dir.resolve("mnt/edfs-blocks");
    assertThatThrownBy(() -> BlockStores.open("file:" + blocks, dir.resolve("data")))
        .isInstanceOf(java.io.IOException.class)
        .hasMessage(
            "the block store folder "
                + blocks
                + " does not exist (is its file system mounted?): create it, or correct --blocks");
    assertThat(dir.resolve("mnt")).doesNotExist();
  }

  @Test
  @DisplayName("a mirror whose sides are one store, or one inside the other, is refused")
  void mirrorOfOneStore() throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(a.resolve("inner"));
    Files.createSymbolicLink(dir.resolve("link"), a);
    for (String uri :
        List.of(
            "mirror:file:" + a + ",file:" + a,
            "mirror:file:" + a + ",file://" + a + "/",
            "mirror:file:" + a + ",file:" + a.resolve("inner"),
            "mirror:file:" + a.resolve("inner") + ",file:" + a,
            "mirror:file:" + a + ",file:" + dir.resolve("link"),
            "mirror:file:" + dir.resolve("x/../a") + ",file:" + a,
            "mirror:s3://b-1?endpoint=http://h:9000,s3://b-1?endpoint=http://h:9000&access-key=k&secret-key=s",
            "mirror:s3://b-1/p?region=eu-west-1,s3://b-1/p/q?region=eu-west-1",
            "mirror:s3://b-1?region=eu-west-1,s3://b-1/p?region=eu-west-1")) {
      assertThatThrownBy(() -> BlockStores.open(uri, dir))
          .as(uri)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("the two sides of a mirror block store are the same store, or one is inside the other");
    }
    // separate stores: another folder, bucket, prefix, endpoint or region
    BlockStores.checkDistinct("file:" + a, "file:" + dir.resolve("ab"));
    BlockStores.checkDistinct("s3://b-1/p?region=eu-west-1", "s3://b-1/pq?region=eu-west-1");
    BlockStores.checkDistinct("s3://b-1?endpoint=http://h:9000", "s3://b-2?endpoint=http://h:9000");
    BlockStores.checkDistinct("s3://b-1?endpoint=http://h:9000", "s3://b-1?endpoint=http://g:9000");
    BlockStores.checkDistinct("s3://b-1?region=eu-west-1", "s3://b-1?region=eu-west-2");
    BlockStores.checkDistinct("file:" + a, "s3://b-1?region=eu-west-1");
  }

  @Test
  @DisplayName("a secret key written with ':' instead of '=' is not echoed in the error, nor in the configuration")
  void mistypedSecret() {
    String uri = "s3://edfs-blocks?endpoint=http://10.0.0.5:9000&access-key=edfs&secret-key:WJALRXUTNFEMIK7MDENG";
    assertThatThrownBy(() -> S3BlockStore.Location.parse(uri))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown parameter number 3 (not shown: it may hold a credential) in s3:// block store URI")
        .hasMessageNotContaining("wjalrxutnfemik7mdeng")
        .hasMessageNotContaining("WJALRXUTNFEMIK7MDENG");
    assertThat(io.edfs.server.ServerConfig.redact(uri)).doesNotContain("WJALRXUTNFEMIK7MDENG");
  }

  @Test
  @DisplayName("an unknown kind of store is refused with the kinds there are, without its password")
  void unknown() {
    assertThatThrownBy(() -> BlockStores.open("ftp://u:hunter2@host/blocks?password=hunter2", dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown block store ftp://u:***@host/blocks?password=***; ")
        .hasMessageEndingWith("expected file:DIR, s3://BUCKET[/PREFIX]?endpoint=..., or mirror:URI,URI")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  @DisplayName("a mirror splits at the comma that starts its second store, not at commas inside one")
  void mirrorSides() {
    assertThat(BlockStores.sides("file:/a,s3://b?endpoint=http://h:9000&secret-key=x,y"))
        .containsExactly("file:/a", "s3://b?endpoint=http://h:9000&secret-key=x,y");
    assertThat(BlockStores.sides("s3://b?secret-key=p,q&region=eu-west-1,file:/srv/a,b"))
        .containsExactly("s3://b?secret-key=p,q&region=eu-west-1", "file:/srv/a,b");
    assertThatThrownBy(() -> BlockStores.sides("file:/a"))
        .hasMessageStartingWith("a mirror block store names two stores");
    assertThatThrownBy(() -> BlockStores.sides("file:/a,file:/b,file:/c"))
        .hasMessageStartingWith("a mirror block store names two stores");
    assertThatThrownBy(() -> BlockStores.sides("file:/a,mirror:file:/b,file:/c"))
        .hasMessageStartingWith("a mirror block store names two stores");
    assertThatThrownBy(() -> BlockStores.open("mirror:mirror:file:/b,file:/c", dir))
        .hasMessage("a mirror's two sides are file: or s3:// stores, not mirrors");
    assertThatThrownBy(() -> BlockStores.open("mirror:file:/a,ftp://b", dir))
        .hasMessageStartingWith("a mirror block store names two stores");
  }

  @Nested
  @DisplayName("s3://")
  class S3 {
    @Test
    @DisplayName("reads bucket, prefix and every parameter; path-style addressing with an endpoint")
    void full() {
      S3BlockStore.Location l =
          S3BlockStore.Location.parse(
              "s3://edfs-blocks/a/b/?endpoint=http://127.0.0.1:9000&region=eu-west-1"
                  + "&access-key=AKIA1&secret-key=ab%2Fc+d%26e&create-bucket=true");
      assertThat(l.bucket()).isEqualTo("edfs-blocks");
      assertThat(l.prefix()).isEqualTo("a/b");
      assertThat(l.keyPrefix()).isEqualTo("a/b/");
      assertThat(l.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
      assertThat(l.region()).isEqualTo("eu-west-1");
      assertThat(l.pathStyle()).isTrue();
      assertThat(l.accessKey()).contains("AKIA1");
      assertThat(l.secretKey()).contains("ab/c+d&e"); // percent-decoded; '+' stays a plus
      assertThat(l.createBucket()).isTrue();
      assertThat(l.toString())
          .isEqualTo("S3 bucket edfs-blocks (prefix a/b/) at http://127.0.0.1:9000")
          .doesNotContain("ab/c");
    }

    @Test
    @DisplayName("defaults: AWS in us-east-1, virtual-host addressing, the SDK's credentials")
    void defaults() {
      S3BlockStore.Location l = S3BlockStore.Location.parse("s3://edfs-blocks");
      assertThat(l.prefix()).isEmpty();
      assertThat(l.keyPrefix()).isEmpty();
      assertThat(l.endpoint()).isEmpty();
      assertThat(l.region()).isEqualTo("us-east-1");
      assertThat(l.pathStyle()).isFalse();
      assertThat(l.accessKey()).isEqualTo(Optional.empty());
      assertThat(l.createBucket()).isFalse();
      assertThat(l.toString()).isEqualTo("S3 bucket edfs-blocks in AWS region us-east-1");
      assertThat(S3BlockStore.Location.parse("s3://b-1?endpoint=https://s3.example:443&path-style=false").pathStyle())
          .isFalse();
    }

    @Test
    @DisplayName("refuses what is wrong, saying what, never showing the secret key")
    void refuses() {
      assertRefused("s3://", "bad bucket name ''");
      assertRefused("s3://Edfs_Blocks", "bad bucket name 'Edfs_Blocks'");
      assertRefused("s3://ab", "bad bucket name 'ab'");
      assertRefused("s3://b-1/a//b", "bad key prefix 'a//b'");
      assertRefused("s3://b-1?endpoint=ftp://h", "endpoint of an s3:// block store URI is an http:// or https:// URL");
      assertRefused("s3://b-1?endpoint=http://me:hunter2@h", "not in the endpoint URL");
      assertRefused("s3://b-1?access-key=a", "needs both access-key and secret-key");
      assertRefused("s3://b-1?secret-key=hunter2", "needs both access-key and secret-key");
      assertRefused("s3://b-1?secret-key=hunter2&secret-key=hunter2&access-key=a", "appears twice");
      assertRefused("s3://b-1?secret-key=hunter2&color=red&access-key=a", "unknown parameter 'color'");
      assertRefused("s3://b-1?secret-key=hunter2&access-key=a&path-style=yes", "is true or false, not 'yes'");
      assertRefused("s3://b-1?secret-key=hunter2%zz&access-key=a", "not well percent-encoded");
      assertRefused("s3://b-1?secret-key=&access-key=a", "has no value");
      assertRefused("s3://b-1?region=Mars 1", "bad region");
    }

    private void assertRefused(String uri, String reason) {
      assertThatThrownBy(() -> BlockStores.open(uri, dir))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(reason)
          .hasMessageNotContaining("hunter2");
    }
  }
}
