/* cd-window-private.h: what the parts of CdWindow share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-new-import.h"
#include "cd-window.h"

G_BEGIN_DECLS

struct _CdWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkMenuButton        *menu_button;
  GMenuModel           *primary_menu;
  GtkOverlay           *drop_overlay;
  GtkWidget            *drop_hint;
  GtkStack             *stack;
  AdwStatusPage        *starting_page;
  GtkSpinner           *starting_spinner;
  AdwStatusPage        *no_account_page;
  AdwStatusPage        *failure_page;
  AdwStatusPage        *empty_page;       /* read by the tests */
  GtkWidget            *sample_button;
  GtkScrolledWindow    *scrolled_window;
  GtkWidget            *pending_section;
  GtkBox               *pending_box;
  GtkWidget            *import_all_button;
  GtkWidget            *jobs_section;
  GtkListBox           *jobs_list;
  GtkRevealer          *expired_revealer;
  GtkRevealer          *journal_revealer;
  GtkLabel             *journal_label;
  GtkLabel             *journal_detail_label;

  /* Owned */
  GSettings            *settings;        /* (nullable): no schema installed */
  CdJobList            *jobs;            /* (nullable) */
  CdJobJournal         *journal;         /* (nullable): the job list's, watched for write errors */
  CdClient             *client;          /* (nullable): else the job list's */
  GFile                *sample_package;  /* (nullable) */
  GtkFileChooserNative *chooser;         /* (nullable) */
  GtkFileChooserNative *plan_chooser;    /* (nullable) */
  GCancellable         *cancellable;     /* (owned): the window's own background work */
  GHashTable           *removed;         /* (owned): record id → CdJobRecord, for Undo */

  guint                 n_pending;
  guint                 spinner_source;    /* shows the starting page's spinner */
  guint                 starting : 1;
  guint                 loading : 1;
  guint                 failed : 1;
  guint                 quit_asking : 1;     /* the "Stop the Upload?" question shows */
  guint                 quit_confirmed : 1;  /* and was answered Quit */
  guint                 quit_app : 1;        /* by app.quit, not by closing the window */
};

/* cd-window.c */
void _cd_window_update_page      (CdWindow    *self);
CdClient *_cd_window_get_client  (CdWindow    *self);
void _cd_window_show_error_toast (CdWindow    *self,
                                  const char  *message);
/* A toast showing @message as plain text (not markup). */
AdwToast *_cd_window_new_toast   (const char  *message,
                                  guint        timeout);
/* Moves the keyboard focus to the job row at @position (or the last one;
 * with no rows, to the window's first control). */
void _cd_window_focus_row        (CdWindow    *self,
                                  guint        position);
/* Shows or hides a banner (a GtkRevealer at the top of the window). */
void _cd_window_reveal_banner    (GtkRevealer *revealer,
                                  gboolean     reveal);
void _cd_window_emit_client_error (CdWindow     *self,
                                   CdClient     *client,
                                   const GError *error);

/* cd-window-files.c: packages coming in (drops, Open, the command line) */
void _cd_window_files_class_init (GtkWidgetClass *widget_class);
void _cd_window_files_init       (CdWindow       *self);
void _cd_window_remove_pending   (CdWindow       *self,
                                  CdNewImport    *card);

/* cd-window-journal.c: the banner for a journal that cannot be written */
void _cd_window_journal_class_init (GtkWidgetClass *widget_class);
/* Follows @journal's write errors (nullable: none). */
void _cd_window_set_journal      (CdWindow       *self,
                                  CdJobJournal   *journal);

/* cd-window-imports.c: starting, retrying, removing and tracking jobs */
void _cd_window_import_card      (CdWindow    *self,
                                  CdNewImport *card);
void _cd_window_retry_job        (CdWindow    *self,
                                  CdImportJob *job);
void _cd_window_remove_job       (CdWindow    *self,
                                  CdImportJob *job);
/* Brings back the job of the removed record @id (the toast's Undo). */
void _cd_window_undo_remove      (CdWindow    *self,
                                  const char  *id);
void _cd_window_track_job        (CdWindow    *self);
/* Asks Brightspace for the name of @job's course if it has none. */
void _cd_window_name_course      (CdWindow    *self,
                                  CdImportJob *job);
/* Follows a stopped job again with the window's client. */
void _cd_window_try_again_job    (CdWindow    *self,
                                  CdImportJob *job);

G_END_DECLS
