package io.edfs.crypto.v1;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Tink's decrypting stream with its failures told apart: an {@link IOException} of the ciphertext
 * source passes through unchanged; any other failure is an integrity failure and comes out as an
 * {@code IOException} caused by a {@link TamperedException}.
 */
final class DecryptingStream extends InputStream {
  private final Source source;
  private final InputStream plaintext;
  private final String what;

  /** {@code plaintext} is Tink's decrypting stream reading from {@code source}. */
  DecryptingStream(Source source, InputStream plaintext, String what) {
    this.source = source;
    this.plaintext = plaintext;
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    try {
      return plaintext.read();
    } catch (IOException e) {
      throw translate(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return plaintext.read(b, off, len);
    } catch (IOException e) {
      throw translate(e);
    }
  }

  @Override
  public long skip(long n) throws IOException {
    try {
      return plaintext.skip(n);
    } catch (IOException e) {
      throw translate(e);
    }
  }

  @Override
  public int available() throws IOException {
    return plaintext.available();
  }

  @Override
  public void close() throws IOException {
    plaintext.close();
  }

  private IOException translate(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t == source.failure) {
        return e;
      }
    }
    TamperedException tampered = new TamperedException(what, e);
    return new IOException(tampered.getMessage(), tampered);
  }

  /** The ciphertext source; remembers its own failure so it is not mistaken for tampering. */
  static final class Source extends FilterInputStream {
    private volatile IOException failure;

    Source(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return in.read();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return in.read(b, off, len);
      } catch (IOException e) {
        failure = e;
        throw e;
      }
    }
  }
}
