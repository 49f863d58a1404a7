// Renders the window's main states from a demo store into PNG files, for
// docs/screenshots. Usage: lockscope_screenshots OUTPUT_DIR
#include "cleanuppreviewdialog.h"
#include "confirmremovaldialog.h"
#include "demostore.h"
#include "livestore.h"
#include "mainwindow.h"
#include "sessiontablemodel.h"
#include "storewatcher.h"

#include <QAction>
#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileSystemWatcher>
#include <QPalette>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QMessageBox>
#include <QTest>

#include <csignal>

#include <cerrno>

using namespace lockscope;

namespace {

bool waitFor(const std::function<bool()> &condition, int ms = 5000)
{
    QDeadlineTimer deadline(ms);
    while (!condition() && !deadline.hasExpired())
        QTest::qWait(20);
    return condition();
}

QString key(const DemoStore &demo, const char *id)
{
    return QStringLiteral("s:") + demo.webappChats() + QLatin1Char('\n') + QString::fromLatin1(id);
}

bool save(QWidget *widget, const QString &dir, const QString &name)
{
    QTest::qWait(150);
    const bool ok = widget->grab().save(dir + QLatin1Char('/') + name);
    qInfo("%s %s", ok ? "wrote" : "FAILED", qPrintable(name));
    return ok;
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
    p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xb0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Link, QColor(0x7a, 0xb4, 0xf5));
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    return p;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    const QString out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(".");
    QDir().mkpath(out);
    QTemporaryDir env;
    qputenv("LOCKSCOPE_AUDIT_LOG", QFile::encodeName(env.filePath(QStringLiteral("audit.jsonl"))));
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(env.filePath(QStringLiteral("config"))));

    DemoStore demo(QStringLiteral(LOCKSCOPE_BINARY));
    QString error;
    if (!demo.create(&error)) {
        qCritical("%s", qPrintable(error));
        return 1;
    }
    MainWindow::Options options;
    options.targets = demo.targets();
    options.demo = true;

    {
        MainWindow window(options);
        window.resize(1440, 860);
        window.show();
        if (!waitFor([&] { return window.model()->rowCount() >= 11; }))
            return 1;
        window.selectKey(key(demo, DemoStore::kCrashedId));
        save(&window, out, QStringLiteral("main-window.png"));

        window.selectKey(QStringLiteral("s:") + demo.targets().first().path
                         + QStringLiteral("/") + QString());
        // The corrupt lock lives in the api-server project.
        for (int i = 0; i < window.model()->rowCount(); ++i) {
            const SessionRow *row = window.model()->rowAt(i);
            if (row->session() && row->session()->sessionId == QLatin1String(DemoStore::kCorruptId))
                window.selectKey(row->key);
        }
        window.forceAction()->trigger();
        auto *force = window.findChild<ConfirmRemovalDialog *>();
        if (force) {
            save(force, out, QStringLiteral("force-remove-dialog.png"));
            force->reject();
        }

        window.cleanupAction()->trigger();
        auto *preview = window.findChild<CleanupPreviewDialog *>();
        if (preview) {
            save(preview, out, QStringLiteral("cleanup-preview.png"));
            preview->accept();
        }
        waitFor([&] { return window.findChild<QMessageBox *>(QStringLiteral("cleanupSummary")); });
        if (auto *summary = window.findChild<QMessageBox *>(QStringLiteral("cleanupSummary")))
            summary->accept();
        // The live holder exits: its row turns stale with no file touched.
        ::kill(pid_t(demo.livePid()), SIGKILL);
        waitFor([&] {
            const SessionRow *row = window.model()->rowAt(window.model()->rowForKey(key(demo, DemoStore::kLiveId)));
            return row && row->state() == RowState::Stale;
        });
        window.findChild<QTabWidget *>(QStringLiteral("bottomTabs"))->setCurrentIndex(1);
        save(&window, out, QStringLiteral("after-cleanup-timeline.png"));
        window.close();
    }

    // Live updates degraded: every watch fails as when the inotify limit is hit.
    QApplication::setPalette(darkPalette());
    {
        MainWindow window(options);
        window.liveStore()->storeWatcher()->setAddPathFunction(
            [](QFileSystemWatcher &, const QString &) {
                errno = ENOSPC;
                return false;
            });
        window.resize(1440, 860);
        window.show();
        window.liveStore()->refreshNow();
        waitFor([&] { return window.model()->rowCount() >= 8 && !window.liveStore()->isLive(); });
        window.selectKey(key(demo, DemoStore::kOrphanId));
        save(&window, out, QStringLiteral("dark-degraded.png"));
        window.close();
    }
    return 0;
}
