/* fuzz-main.c: runs a libFuzzer target without libFuzzer
 *
 * With gcc (CI) each target is a normal test: every file of its corpus,
 * then a fixed number of deterministic mutations of them (bit flips,
 * inserted and deleted bytes, splices).  GLib criticals are fatal, so a
 * parser that trips a g_return_if_fail on hostile input fails the test.
 * With clang, meson also builds real libFuzzer binaries from the same
 * targets (see tests/fuzz/meson.build).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
mutate (GRand      *rand,
        GByteArray *input,
        GPtrArray  *corpus)
{
  guint kind = g_rand_int_range (rand, 0, 5);
  guint pos = input->len > 0 ? g_rand_int_range (rand, 0, input->len) : 0;

  switch (kind)
    {
    case 0:  /* flip a bit */
      if (input->len > 0)
        input->data[pos] ^= (guint8)(1u << g_rand_int_range (rand, 0, 8));
      break;
    case 1:  /* insert a random or interesting byte */
      {
        static const guint8 interesting[] = { 0, '"', '\\', '{', '}', '[', ']', ':', ',', '%',
                                              '&', '=', '\r', '\n', '-', 0xff, 0xc3 };
        guint8 byte = g_rand_boolean (rand)
          ? interesting[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting))]
          : (guint8)g_rand_int_range (rand, 0, 256);
        /* A GByteArray is a GArray of bytes; GLib has no byte insert. */
        g_array_insert_vals ((GArray *)input, pos, &byte, 1);
      }
      break;
    case 2:  /* delete a run */
      if (input->len > 0)
        {
          /* MIN() would draw the random number twice. */
          guint n = (guint)g_rand_int_range (rand, 1, 9);
          g_byte_array_remove_range (input, pos, MIN (n, input->len - pos));
        }
      break;
    case 3:  /* splice in a piece of another input */
      {
        GBytes *other = g_ptr_array_index (corpus, g_rand_int_range (rand, 0, corpus->len));
        gsize len;
        const guint8 *bytes = g_bytes_get_data (other, &len);

        if (len > 0)
          {
            guint from = g_rand_int_range (rand, 0, len);
            guint want = (guint)g_rand_int_range (rand, 1, 33);
            guint n = MIN (want, len - from);
            g_byte_array_set_size (input, MIN (input->len, pos));
            g_byte_array_append (input, bytes + from, n);
          }
      }
      break;
    default:  /* duplicate a run */
      if (input->len > 0)
        {
          guint want = (guint)g_rand_int_range (rand, 1, 17);
          guint n = MIN (want, input->len - pos);
          g_autofree guint8 *copy = g_memdup2 (input->data + pos, n);
          g_byte_array_append (input, copy, n);
        }
      break;
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) corpus = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = NULL;
  const char *save = g_getenv ("CD_FUZZ_SAVE");
  const char *name;
  guint iterations;

  if (argc < 2)
    {
      g_printerr ("Usage: %s CORPUS-DIR [ITERATIONS]\n", argv[0]);
      return 2;
    }

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  iterations = argc > 2 ? (guint)g_ascii_strtoull (argv[2], NULL, 10) : 3000;

  if (!(dir = g_dir_open (argv[1], 0, &error)))
    g_error ("%s", error->message);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (argv[1], name, NULL);
      char *contents;
      gsize len;

      if (!g_file_get_contents (path, &contents, &len, &error))
        g_error ("%s", error->message);
      LLVMFuzzerTestOneInput ((const uint8_t *)contents, len);
      g_ptr_array_add (corpus, g_bytes_new_take (contents, len));
    }
  g_assert_cmpuint (corpus->len, >, 0);

  /* Fixed seed: a failure here reproduces with the same command. */
  rand = g_rand_new_with_seed (20261127);
  for (guint i = 0; i < iterations; i++)
    {
      GBytes *seed = g_ptr_array_index (corpus, g_rand_int_range (rand, 0, corpus->len));
      g_autoptr(GByteArray) input = g_byte_array_new ();
      gsize len;
      const guint8 *bytes = g_bytes_get_data (seed, &len);
      guint rounds = g_rand_int_range (rand, 1, 6);

      g_byte_array_append (input, bytes, len);
      for (guint r = 0; r < rounds; r++)
        mutate (rand, input, corpus);
      /* CD_FUZZ_SAVE=FILE keeps the input about to run, to reproduce a crash. */
      if (save != NULL)
        g_file_set_contents (save, (const char *)input->data, input->len, NULL);
      LLVMFuzzerTestOneInput (input->data, input->len);
    }

  g_print ("%u corpus inputs and %u mutations: no crash\n", corpus->len, iterations);
  return 0;
}
