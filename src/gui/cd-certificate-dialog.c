/* cd-certificate-dialog.c: asks whether to trust a server's certificate
 *
 * The server presented a certificate that does not verify (self-signed,
 * an unknown authority, expired…).  The dialog says why, shows what an
 * administrator can compare — subject, issuer, validity and the SHA-256
 * fingerprint — and offers to trust exactly this certificate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <glib/gi18n.h>

#include "cd-certificate-dialog.h"
#include "cd-gui-util.h"

struct _CdCertificateDialog
{
  AdwMessageDialog   parent_instance;

  /* Template widgets */
  GtkLabel          *subject_label;
  GtkLabel          *issuer_label;
  GtkLabel          *validity_label;
  GtkLabel          *fingerprint_label;

  /* Owned */
  CdCertificateInfo *certificate;
};

G_DEFINE_FINAL_TYPE (CdCertificateDialog, cd_certificate_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  PROP_0,
  PROP_CERTIFICATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "1/2/2026 to 1/2/2027", in the user's time zone and date format. */
static char *
format_validity (CdCertificateInfo *info)
{
  GDateTime *before = cd_certificate_info_get_not_before (info);
  GDateTime *after = cd_certificate_info_get_not_after (info);
  g_autoptr(GDateTime) local_before = g_date_time_to_local (before);
  g_autoptr(GDateTime) local_after = g_date_time_to_local (after);
  g_autofree char *not_before = g_date_time_format (local_before, "%x");
  g_autofree char *not_after = g_date_time_format (local_after, "%x");

  /* Translators: a certificate's validity, “1/2/2026 to 1/2/2027”. */
  return g_strdup_printf (_("%s to %s"), not_before, not_after);
}

static void
show_certificate (CdCertificateDialog *self)
{
  CdCertificateInfo *info = self->certificate;
  g_autofree char *errors = cd_certificate_info_describe_errors (info);
  g_autofree char *validity = format_validity (info);
  g_autofree char *fingerprint = g_strdup (cd_certificate_info_get_sha256 (info));

  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("%s\n\nTrust it only if you know that %s uses this "
                                    "certificate, for example after comparing the fingerprint "
                                    "with your administrator."),
                                  errors, cd_certificate_info_get_host (info));

  gtk_label_set_text (self->subject_label, cd_certificate_info_get_subject (info));
  gtk_label_set_text (self->issuer_label, cd_certificate_info_get_issuer (info));
  gtk_label_set_text (self->validity_label, validity);

  /* 95 characters: two lines of 16 bytes each. */
  if (strlen (fingerprint) == 95)
    fingerprint[47] = '\n';
  gtk_label_set_text (self->fingerprint_label, fingerprint);
}

CdCertificateInfo *
cd_certificate_dialog_get_certificate (CdCertificateDialog *self)
{
  g_return_val_if_fail (CD_IS_CERTIFICATE_DIALOG (self), NULL);
  return self->certificate;
}

static void
cd_certificate_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CdCertificateDialog *self = CD_CERTIFICATE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CERTIFICATE:
      g_value_set_boxed (value, self->certificate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_certificate_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  CdCertificateDialog *self = CD_CERTIFICATE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_CERTIFICATE:
      self->certificate = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cd_certificate_dialog_constructed (GObject *object)
{
  CdCertificateDialog *self = CD_CERTIFICATE_DIALOG (object);

  G_OBJECT_CLASS (cd_certificate_dialog_parent_class)->constructed (object);

  if (self->certificate != NULL)
    show_certificate (self);
}

static void
cd_certificate_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CD_TYPE_CERTIFICATE_DIALOG);

  G_OBJECT_CLASS (cd_certificate_dialog_parent_class)->dispose (object);
}

static void
cd_certificate_dialog_finalize (GObject *object)
{
  CdCertificateDialog *self = CD_CERTIFICATE_DIALOG (object);

  g_clear_pointer (&self->certificate, cd_certificate_info_unref);

  G_OBJECT_CLASS (cd_certificate_dialog_parent_class)->finalize (object);
}

static void
cd_certificate_dialog_class_init (CdCertificateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cd_certificate_dialog_get_property;
  object_class->set_property = cd_certificate_dialog_set_property;
  object_class->constructed = cd_certificate_dialog_constructed;
  object_class->dispose = cd_certificate_dialog_dispose;
  object_class->finalize = cd_certificate_dialog_finalize;

  properties[PROP_CERTIFICATE] =
    g_param_spec_boxed ("certificate", NULL, NULL, CD_TYPE_CERTIFICATE_INFO,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/cd-certificate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CdCertificateDialog, subject_label);
  gtk_widget_class_bind_template_child (widget_class, CdCertificateDialog, issuer_label);
  gtk_widget_class_bind_template_child (widget_class, CdCertificateDialog, validity_label);
  gtk_widget_class_bind_template_child (widget_class, CdCertificateDialog, fingerprint_label);
}

static void
cd_certificate_dialog_init (CdCertificateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  cd_fix_button_names (GTK_WIDGET (self));
}

CdCertificateDialog *
cd_certificate_dialog_new (GtkWindow         *parent,
                           CdCertificateInfo *certificate)
{
  g_return_val_if_fail (certificate != NULL, NULL);

  return g_object_new (CD_TYPE_CERTIFICATE_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "certificate", certificate,
                       NULL);
}
