/* cd-application-private.h: what the parts of CdApplication share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cd-account-window.h"
#include "cd-application.h"
#include "cd-certificate-dialog.h"
#include "cd-demo.h"
#include "cd-job-notifier.h"
#include "cd-latency-meter.h"
#include "cd-session.h"
#include "cd-window.h"

G_BEGIN_DECLS

struct _CdApplication
{
  AdwApplication       parent_instance;

  CdSession           *session;             /* (owned) */
  CdJobNotifier       *notifier;            /* (owned) */
  CdDemo              *demo;                /* (owned) (nullable) */
  GFile               *sample_package;      /* (owned) (nullable) */
  CdLatencyMeter      *meter;               /* (owned) (nullable) */
  GCancellable        *cancellable;         /* (owned) */
  GPtrArray           *pending_toasts;      /* (owned) (element-type utf8): until a window */

  CdWindow            *window;              /* (unowned) (nullable): weak pointer */
  CdAccountWindow     *account_window;      /* (unowned) (nullable): weak pointer */
  CdCertificateDialog *certificate_dialog;  /* (unowned) (nullable): weak pointer */

  GdkFrameClock       *paint_clock;         /* (owned) (nullable): the first frame's */
  gulong               painted_id;
  guint                session_source;      /* starts the session without a first frame */

  guint                sigint_source;
  guint                sigterm_source;
  gboolean             demo_mode;
  gboolean             starting;
  gboolean             loading;             /* the session's account and journal */
  gboolean             session_started;
};

/* cd-application.c */
void      _cd_application_apply_state   (CdApplication *self);
void      _cd_application_toast         (CdApplication *self,
                                         const char    *message);
CdWindow *_cd_application_ensure_window (CdApplication *self);

/* cd-application-session.c */
void      _cd_application_create_session            (CdApplication *self);
gboolean  _cd_application_start_session_cb         (gpointer       user_data);
void      _cd_application_start_session_after_paint (CdApplication *self);

/* cd-application-actions.c */
void      _cd_application_add_actions   (CdApplication *self);

G_END_DECLS
