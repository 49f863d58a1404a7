// Renders the window's main states from a demo store into PNG files, for
// docs/screenshots. Usage: lockscope_screenshots OUTPUT_DIR [STORE_PATH...]
// With store paths, it renders that store instead (store.png) and reports how
// long the first rows took.
#include "cleanuppreviewdialog.h"
#include "confirmremovaldialog.h"
#include "demostore.h"
#include "livestore.h"
#include "mainwindow.h"
#include "sessiontablemodel.h"
#include "storewatcher.h"

#include <QTableView>

#include <QAction>
#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFileSystemWatcher>
#include <QMessageBox>
#include <QPalette>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTemporaryDir>
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
    // Named as lockscope names itself, so the About dialog shows its settings file.
    QApplication::setOrganizationName(QStringLiteral("lockscope"));
    QApplication::setApplicationName(QStringLiteral("lockscope"));
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    const QString out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(".");
    QDir().mkpath(out);
    QTemporaryDir env;
    qputenv("LOCKSCOPE_AUDIT_LOG", QFile::encodeName(env.filePath(QStringLiteral("audit.jsonl"))));
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(env.filePath(QStringLiteral("config"))));

    if (argc > 2) {
        MainWindow::Options options;
        for (int i = 2; i < argc; ++i)
            options.targets.append(
                {QString::fromLocal8Bit(argv[i]), QStringLiteral("command line"),
                 QString::fromLocal8Bit(argv[i]).contains(QLatin1String("/.llxprt"))});
        QElapsedTimer timer;
        timer.start();
        MainWindow window(options);
        window.resize(1440, 860);
        window.show();
        if (!waitFor([&] { return window.model()->rowCount() > 0; }))
            return 1;
        qInfo("first rows after %lld ms (%d rows)", timer.elapsed(), window.model()->rowCount());
        window.table()->selectRow(0);
        save(&window, out, QStringLiteral("store.png"));
        return 0;
    }

    DemoStore demo(QStringLiteral(LOCKSCOPE_BINARY));
    QString error;
    if (!demo.create(&error)) {
        qCritical("%s", qPrintable(error));
        return 1;
    }
    MainWindow::Options options;
    options.targets = demo.targets();
    options.demo = true;

    const auto openWindow = [&](MainWindow &window) {
        window.resize(1440, 860);
        window.show();
        return waitFor([&] { return window.model()->rowCount() >= 10; });
    };
    const auto selectSession = [](MainWindow &window, const char *id) {
        for (int i = 0; i < window.model()->rowCount(); ++i) {
            const SessionRow *row = window.model()->rowAt(i);
            if (row->session() && row->session()->sessionId == QLatin1String(id))
                window.selectKey(row->key);
        }
    };

    {
        MainWindow window(options);
        if (!openWindow(window))
            return 1;
        selectSession(window, DemoStore::kCrashedId);
        save(&window, out, QStringLiteral("main-window.png"));

        selectSession(window, DemoStore::kCorruptId);
        window.forceAction()->trigger();
        if (auto *force = window.findChild<ConfirmRemovalDialog *>()) {
            save(force, out, QStringLiteral("force-remove-dialog.png"));
            force->reject();
        }
        window.cleanupAction()->trigger();
        if (auto *preview = window.findChild<CleanupPreviewDialog *>()) {
            save(preview, out, QStringLiteral("cleanup-preview.png"));
            preview->reject();
        }
        window.aboutAction()->trigger();
        if (auto *about = window.findChild<QMessageBox *>(QStringLiteral("aboutDialog"))) {
            save(about, out, QStringLiteral("about-dialog.png"));
            about->accept();
        }
        window.close();
    }

    // Dark palette, and live updates degraded as when the inotify limit is hit.
    const QPalette light = QApplication::palette();
    QApplication::setPalette(darkPalette());
    {
        MainWindow window(options);
        window.liveStore()->storeWatcher()->setAddPathFunction(
            [](QFileSystemWatcher &, const QString &) {
                errno = ENOSPC;
                return false;
            });
        window.liveStore()->refreshNow();
        if (!openWindow(window))
            return 1;
        waitFor([&] { return !window.liveStore()->isLive(); });
        selectSession(window, DemoStore::kOrphanId);
        save(&window, out, QStringLiteral("dark-degraded.png"));
        window.close();
    }
    QApplication::setPalette(light);

    {
        MainWindow window(options);
        if (!openWindow(window))
            return 1;
        window.cleanupAction()->trigger();
        if (auto *preview = window.findChild<CleanupPreviewDialog *>())
            preview->accept();
        waitFor([&] { return window.findChild<QMessageBox *>(QStringLiteral("cleanupSummary")); });
        if (auto *summary = window.findChild<QMessageBox *>(QStringLiteral("cleanupSummary")))
            summary->accept();
        // The live holder exits: its row turns stale with no file touched.
        ::kill(pid_t(demo.livePid()), SIGKILL);
        waitFor([&] {
            const SessionRow *row =
                window.model()->rowAt(window.model()->rowForKey(key(demo, DemoStore::kLiveId)));
            return row && row->state() == RowState::Stale;
        });
        selectSession(window, DemoStore::kLiveId);
        window.findChild<QTabWidget *>(QStringLiteral("bottomTabs"))->setCurrentIndex(1);
        save(&window, out, QStringLiteral("after-cleanup-timeline.png"));
        window.close();
    }
    return 0;
}
