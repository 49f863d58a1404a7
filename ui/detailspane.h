#pragma once

#include "sessionrow.h"

#include <QWidget>

class QTextBrowser;

namespace lockscope {

// Everything known about the selected row: the verdict's reason and evidence,
// lockscope's verdict beside llxprt's two predicates, the raw payload, the
// paths (with copy links) and the recording's metadata.
class DetailsPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetailsPane)

public:
    explicit DetailsPane(QWidget *parent = nullptr);

    void showRow(const SessionRow *row, qint64 wallNowMs);
    void showNothing(const QString &message);
    QString plainText() const;
    QTextBrowser *browser() const { return m_browser; }

signals:
    void copyRequested(const QString &text);

private:
    QTextBrowser *m_browser = nullptr;
};

// The HTML of the pane; exposed for tests and for the diagnostics export.
QString detailsHtml(const SessionRow &row, qint64 wallNowMs, qint64 bootNowMs);

} // namespace lockscope
