package io.keel.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialsStoreTest
{
    private static final byte[] SECRET = "correct horse".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void shouldVerifyAddedUserAndRefuseWrongPasswordOrUnknownUser() throws Exception
    {
        final Path file = dir.resolve("users.txt");
        CredentialsStore.addUser(file, "alice", 7, SECRET, CredentialsStore.MIN_ITERATIONS);
        CredentialsStore.addUser(file, "bob", 8, "other".getBytes(StandardCharsets.UTF_8), CredentialsStore.MIN_ITERATIONS);

        final CredentialsStore store = CredentialsStore.load(file);

        assertEquals(2, store.size());
        assertEquals(7, store.verify("alice", SECRET));
        assertEquals(CredentialsStore.NO_ACCOUNT, store.verify("alice", "correct horsE".getBytes(StandardCharsets.UTF_8)));
        assertEquals(CredentialsStore.NO_ACCOUNT, store.verify("carol", SECRET));
    }

    @Test
    void shouldStoreNoPlaintextSecret() throws Exception
    {
        final Path file = dir.resolve("users.txt");
        CredentialsStore.addUser(file, "alice", 7, SECRET, CredentialsStore.MIN_ITERATIONS);

        final String content = Files.readString(file);
        assertFalse(content.contains("correct horse"));
        assertTrue(content.startsWith("alice:7:" + CredentialsStore.MIN_ITERATIONS + ":"));
    }

    @Test
    void shouldSaltEachUserDifferently() throws Exception
    {
        final Path file = dir.resolve("users.txt");
        CredentialsStore.addUser(file, "alice", 7, SECRET, CredentialsStore.MIN_ITERATIONS);
        CredentialsStore.addUser(file, "bob", 7, SECRET, CredentialsStore.MIN_ITERATIONS);

        final String[] lines = Files.readString(file).split("\n");
        final String[] alice = lines[0].split(":");
        final String[] bob = lines[1].split(":");
        assertFalse(alice[3].equals(bob[3]), "salt");
        assertFalse(alice[4].equals(bob[4]), "hash");
    }

    @Test
    void shouldRefuseDuplicateUserAndBadInput() throws Exception
    {
        final Path file = dir.resolve("users.txt");
        CredentialsStore.addUser(file, "alice", 7, SECRET, CredentialsStore.MIN_ITERATIONS);

        assertThrows(IllegalArgumentException.class,
            () -> CredentialsStore.addUser(file, "alice", 8, SECRET, CredentialsStore.MIN_ITERATIONS));
        assertThrows(IllegalArgumentException.class,
            () -> CredentialsStore.addUser(file, "a:b", 8, SECRET, CredentialsStore.MIN_ITERATIONS));
        assertThrows(IllegalArgumentException.class,
            () -> CredentialsStore.addUser(file, "carol", 0, SECRET, CredentialsStore.MIN_ITERATIONS));
        assertThrows(IllegalArgumentException.class,
            () -> CredentialsStore.addUser(file, "carol", 9, SECRET, 10));
    }

    @Test
    void shouldCreateTheUsersFileOwnerOnlyAndKeepItSo() throws Exception
    {
        final Path file = dir.resolve("users.txt");
        CredentialsStore.addUser(file, "alice", 7, SECRET, CredentialsStore.MIN_ITERATIONS);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        CredentialsStore.addUser(file, "bob", 8, SECRET, CredentialsStore.MIN_ITERATIONS);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(2, CredentialsStore.load(file).size());
    }

    @Test
    void shouldNameFileAndLineOfMalformedEntry() throws Exception
    {
        final Path file = dir.resolve("users.txt");
        Files.writeString(file, "# users\nalice:7:notanumber:AAAA:BBBB\n");

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> CredentialsStore.load(file));
        assertTrue(ex.getMessage().contains("users.txt line 2"), ex.getMessage());
    }
}
