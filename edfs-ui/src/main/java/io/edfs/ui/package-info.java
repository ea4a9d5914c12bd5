/**
 * {@code edfs ui}: a local web app on 127.0.0.1 in front of the SDK. The browser talks only to
 * this process, which does all encryption; see {@link io.edfs.ui.UiServer}.
 */
package io.edfs.ui;
