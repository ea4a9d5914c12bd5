package io.edfs.server.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's TLS identity: a self-signed EC P-256 certificate kept in {@code tls/} (a PKCS12
 * keystore and the file holding its random password, both 0600). Created on first start and reused
 * afterwards, so the fingerprint clients pin never changes.
 */
record Tls(KeyStore keyStore, String password, X509Certificate certificate) {
  static final String ALIAS = "edfs";
  private static final String KEYSTORE_FILE = "server.p12";
  private static final String PASSWORD_FILE = "server.p12.password";
  private static final Duration VALIDITY = Duration.ofDays(3650);

  /** Loads the identity from {@code dir}, creating it first if there is none. */
  static Tls loadOrCreate(Path dir, String bindAddress, SecureRandom random) throws IOException {
    PrivateFiles.createPrivateDirectory(dir);
    Path keystoreFile = dir.resolve(KEYSTORE_FILE);
    Path passwordFile = dir.resolve(PASSWORD_FILE);
    try {
      if (!Files.exists(keystoreFile)) {
        byte[] pw = new byte[24];
        random.nextBytes(pw);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(pw);
        KeyStore created = create(bindAddress, password, random);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        created.store(out, password.toCharArray());
        // password first: a keystore without its password file would be unusable
        PrivateFiles.writeAtomically(passwordFile, password.getBytes(StandardCharsets.UTF_8));
        PrivateFiles.writeAtomically(keystoreFile, out.toByteArray());
      }
      String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(new ByteArrayInputStream(Files.readAllBytes(keystoreFile)), password.toCharArray());
      if (!(ks.getCertificate(ALIAS) instanceof X509Certificate cert)) {
        throw new IOException(keystoreFile + " has no certificate under alias '" + ALIAS + "'");
      }
      return new Tls(ks, password, cert);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot load or create the TLS keystore in " + dir + ": " + e, e);
    }
  }

  /** SHA-256 of the certificate's DER bytes, uppercase hex pairs joined by ':'. */
  String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyStore create(String bindAddress, String password, SecureRandom random)
      throws GeneralSecurityException, IOException {
    KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
    kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair pair = kpg.generateKeyPair();
    X500Name subject = new X500Name("CN=edfs server");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            new BigInteger(127, random).add(BigInteger.ONE),
            Date.from(now.minus(Duration.ofDays(1))), // tolerate clients with a slow clock
            Date.from(now.plus(VALIDITY)),
            subject,
            pair.getPublic());
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(subjectAltNames(bindAddress).toArray(GeneralName[]::new)));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    X509Certificate cert;
    try {
      cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(ALIAS, pair.getPrivate(), password.toCharArray(), new Certificate[] {cert});
    return ks;
  }

  private static List<GeneralName> subjectAltNames(String bind) {
    String bindAddress =
        bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind;
    Set<String> dns = new LinkedHashSet<>(List.of("localhost"));
    Set<String> ips = new LinkedHashSet<>(List.of("127.0.0.1", "::1"));
    if (isIpLiteral(bindAddress)) {
      if (isWildcard(bindAddress)) {
        // listening everywhere: the machine's own name is the likely one clients use
        try {
          dns.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
          // no resolvable host name: localhost and the loopback addresses remain
        }
      } else {
        ips.add(bindAddress);
      }
    } else {
      dns.add(bindAddress);
    }
    List<GeneralName> names = new ArrayList<>();
    dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return names;
  }

  static boolean isWildcard(String address) {
    return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
  }

  static boolean isIpLiteral(String address) {
    return address.matches("[0-9.]+") || address.contains(":");
  }
}
