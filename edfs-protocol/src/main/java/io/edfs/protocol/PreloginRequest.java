package io.edfs.protocol;

/** Asks for a user's key-derivation salt and parameters before login. */
public record PreloginRequest(String username) {}
